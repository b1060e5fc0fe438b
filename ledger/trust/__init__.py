"""Trust: what makes the ledger's content authoritative and its reads confidential.

``claims`` projects counterparty confirmations (a claim that binds another party counts as
confirmed only once that party signs ``claim.confirmed``); ``consents`` projects a data
subject's consents to lenders; ``access`` decides what a caller may read and records every
read a lender makes of another party's data. Authority per event type is enforced by the
sequencer itself (``ledger.core.event_types.authority``).
"""
