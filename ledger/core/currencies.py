"""ISO 4217 currencies that money on the ledger may be in, with their minor-unit exponents.

Money is integer minor units and a code; the exponent says how many digits the minor unit
has (JPY 0, USD 2, KWD 3), which finance rules need to show or convert amounts. Test and
no-currency codes (XTS, XXX), precious metals and bond units are not money here.
"""

from __future__ import annotations

from types import MappingProxyType

_BY_EXPONENT = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    2: (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
        "BWP BYN BZD CAD CDF CHE CHF CHW COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
        "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
        "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV "
        "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR "
        "SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
        "USD USN UYU UZS VED VES WST XCD XCG XDR YER ZAR ZMW ZWG"
    ),
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}

MINOR_UNITS: MappingProxyType[str, int] = MappingProxyType(
    {code: exponent for exponent, codes in _BY_EXPONENT.items() for code in codes.split()}
)
CODES: tuple[str, ...] = tuple(sorted(MINOR_UNITS))
