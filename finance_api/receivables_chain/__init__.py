"""The shared on-chain registry of financed receivables (``ReceivableRegistry``): its client,
and the gate that makes a deployment's financings agree with it."""
