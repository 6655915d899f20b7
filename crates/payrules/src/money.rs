//! Exact money: decimal amounts read from the JSON text itself, and ISO 4217 currencies.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

#[path = "currency_table.rs"]
#[rustfmt::skip] // generated (a test compares it with the generator), so left as written
mod currency_table;

/// An amount read exactly from its text: `12.3400` keeps its four decimals, `0.1` is one tenth.
///
/// Only checked arithmetic is offered: an overflow is an error, never a panic or a wrap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

/// Why a text is not an amount.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmountError {
    /// Not a decimal number at all.
    NotANumber,
    /// More significant digits than can be kept exactly (28).
    TooPrecise,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::NotANumber => f.write_str("is not a decimal number"),
            AmountError::TooPrecise => f.write_str("has more digits than can be kept exactly (28 at most)"),
        }
    }
}

impl std::error::Error for AmountError {}

impl FromStr for Amount {
    type Err = AmountError;

    /// Parses decimal text exactly, with an optional exponent (`1.5E+3`). Nothing is rounded.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
            return Err(AmountError::NotANumber);
        }
        if !t.bytes().any(|b| b.is_ascii_digit()) {
            return Err(AmountError::NotANumber);
        }
        let parsed = if t.bytes().any(|b| b == b'e' || b == b'E') {
            Decimal::from_scientific(t)
        } else {
            Decimal::from_str_exact(t)
        };
        parsed.map(Amount).map_err(|err| {
            let msg = err.to_string();
            if msg.contains("underflow")
                || msg.contains("overflow")
                || msg.contains("precision")
                || msg.contains("large")
            {
                AmountError::TooPrecise
            } else {
                AmountError::NotANumber
            }
        })
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for Amount {
    /// As a string, so no reader turns it into a float: `"12.3400"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|e: AmountError| serde::de::Error::custom(format!("amount \"{text}\" {e}")))
    }
}

impl Amount {
    /// Zero, with no decimals.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// The exact decimal value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// An amount from an exact decimal.
    pub fn from_decimal(value: Decimal) -> Self {
        Amount(value)
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// Strictly above zero.
    pub fn is_positive(self) -> bool {
        self.0.is_sign_positive() && !self.0.is_zero()
    }

    /// Below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// The number of decimals written (`12.3400` has 4).
    pub fn scale(self) -> u32 {
        self.0.scale()
    }

    /// The number of digits before the decimal point, ignoring the sign (`0.5` has 1).
    pub fn integer_digits(self) -> usize {
        let int = self.0.trunc().abs().normalize();
        let text = int.to_string();
        text.len()
    }

    /// The same value written with exactly `decimals` decimals, if that needs no rounding.
    pub fn with_exact_decimals(self, decimals: u32) -> Option<String> {
        let normalized = self.0.normalize();
        if normalized.scale() > decimals {
            return None;
        }
        let mut v = normalized;
        v.rescale(decimals);
        (v == self.0).then(|| v.to_string())
    }

    /// Whether the value needs no more decimals than `exponent` (a currency's minor units).
    pub fn fits_minor_units(self, exponent: u16) -> bool {
        self.0.normalize().scale() <= u32::from(exponent)
    }
}

/// [`Amount::fits_minor_units`] of plain decimal text (digits, then a dot and digits: `12.3400`),
/// read from the text without parsing it: the decimals it needs are those left once trailing zeros
/// are dropped. `None` for any other text (a sign, an exponent, more than 18 digits): parse it then.
pub(crate) fn text_fits_minor_units(text: &str, exponent: u16) -> Option<bool> {
    let (int, frac) = match text.as_bytes().iter().position(|&b| b == b'.') {
        Some(dot) => (text.get(..dot)?, text.get(dot + 1..).filter(|f| !f.is_empty())?),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() + frac.len() > 18 || !digits(int) || !digits(frac) {
        return None;
    }
    Some(frac.trim_end_matches('0').len() <= usize::from(exponent))
}

/// An ISO 4217 currency, from a compact table generated from the maintained `iso_currency` crate
/// (`currency_table.rs`: codes, minor units and names only; a test checks it equals the crate's).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(u16);

impl fmt::Debug for Currency {
    /// `Currency(EUR)`, as when it wrapped `iso_currency::Currency`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Currency").field(&format_args!("{}", self.code())).finish()
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;

    /// Accepts an alphabetic code as ISO 4217 writes it (`EUR`); case matters.
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            let codes = currency_table::CODES.as_bytes();
            let (mut lo, mut hi) = (0, currency_table::EXPONENTS.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                match codes.get(mid * 3..mid * 3 + 3).unwrap_or_default().cmp(code.as_bytes()) {
                    std::cmp::Ordering::Less => lo = mid + 1,
                    std::cmp::Ordering::Greater => hi = mid,
                    std::cmp::Ordering::Equal => return u16::try_from(mid).map(Currency).map_err(|_| UnknownCurrency),
                }
            }
        }
        Err(UnknownCurrency)
    }
}

/// The code is not an ISO 4217 alphabetic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownCurrency;

impl fmt::Display for UnknownCurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an ISO 4217 alphabetic currency code: write three capital letters, e.g. EUR")
    }
}

impl std::error::Error for UnknownCurrency {}

impl Currency {
    /// Every alphabetic code of the table, in alphabetical order.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        (0..currency_table::EXPONENTS.len()).map(|i| currency_table::CODES.get(i * 3..i * 3 + 3).unwrap_or_default())
    }

    /// The alphabetic code, e.g. `EUR`.
    pub fn code(self) -> &'static str {
        let i = usize::from(self.0) * 3;
        currency_table::CODES.get(i..i + 3).unwrap_or_default()
    }

    /// The currency's English name.
    pub fn name(self) -> String {
        currency_table::NAMES.get(usize::from(self.0)).copied().unwrap_or_default().to_owned()
    }

    /// Its minor units (`EUR` 2, `JPY` 0, `BHD` 3), or `None` where ISO 4217 gives none (`XAU`).
    pub fn exponent(self) -> Option<u16> {
        match currency_table::EXPONENTS.get(usize::from(self.0)) {
            Some(&e) if e != currency_table::NONE => Some(u16::from(e)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Amount, Currency};

    #[test]
    fn keeps_text_exactly() {
        let a: Amount = "12.3400".parse().unwrap();
        assert_eq!(a.to_string(), "12.3400");
        assert_eq!(a.scale(), 4);
        let b: Amount = "0.1".parse().unwrap();
        let c: Amount = "0.2".parse().unwrap();
        assert_eq!(b.checked_add(c).unwrap().to_string(), "0.3");
    }

    #[test]
    fn exponent_form_and_errors() {
        assert_eq!("1.5E+3".parse::<Amount>().unwrap().value().normalize().to_string(), "1500");
        assert!("abc".parse::<Amount>().is_err());
        assert!("".parse::<Amount>().is_err());
        assert!("1.2.3".parse::<Amount>().is_err());
        assert!("123456789012345678901234567890123".parse::<Amount>().is_err());
    }

    #[test]
    fn exact_decimals_never_round() {
        let a: Amount = "12.34".parse().unwrap();
        assert_eq!(a.with_exact_decimals(4).as_deref(), Some("12.3400"));
        let b: Amount = "12.34003400".parse().unwrap();
        assert_eq!(b.with_exact_decimals(4), None);
        let c: Amount = "12.340000".parse().unwrap();
        assert_eq!(c.with_exact_decimals(4).as_deref(), Some("12.3400"));
        assert_eq!("1234567890.0000".parse::<Amount>().unwrap().integer_digits(), 10);
        assert_eq!("0.5".parse::<Amount>().unwrap().integer_digits(), 1);
    }

    #[test]
    fn currency_table() {
        let eur: Currency = "EUR".parse().unwrap();
        assert_eq!(eur.exponent(), Some(2));
        assert_eq!("JPY".parse::<Currency>().unwrap().exponent(), Some(0));
        assert_eq!("BHD".parse::<Currency>().unwrap().exponent(), Some(3));
        assert!("EUX".parse::<Currency>().is_err());
        assert!("eur".parse::<Currency>().is_err());
        assert!("12.34".parse::<Amount>().unwrap().fits_minor_units(2));
        assert!(!"12.345".parse::<Amount>().unwrap().fits_minor_units(2));
        assert!("12.3400".parse::<Amount>().unwrap().fits_minor_units(2));
    }

    /// The compact table as it must be, generated from the `iso_currency` crate: every three-letter
    /// upper-case code the crate knows, in order, with its minor units and name.
    fn generated_table() -> String {
        let mut codes = String::new();
        let mut exponents = Vec::new();
        let mut names = Vec::new();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                for c in b'A'..=b'Z' {
                    let code = String::from_utf8(vec![a, b, c]).unwrap();
                    if let Some(cur) = iso_currency::Currency::from_code(&code) {
                        assert_eq!(cur.code(), code);
                        codes.push_str(&code);
                        exponents.push(
                            cur.exponent()
                                .map_or(super::currency_table::NONE, |e| u8::try_from(e).unwrap())
                                .to_string(),
                        );
                        names.push(format!("{:?}", cur.name()));
                    }
                }
            }
        }
        format!(
            "//! Generated from the `iso_currency` crate by `money::tests::the_currency_table_is_the_crates`\n\
             //! (`PAYRULES_WRITE_CURRENCY_TABLE=1 cargo test -p payrules --lib currency_table` rewrites it): do not edit.\n\
             //! ISO 4217 alphabetic codes in order, their minor units and English names; nothing else.\n\n\
             /// Minor units where ISO 4217 gives none (`XAU`).\n\
             pub(super) const NONE: u8 = u8::MAX;\n\n\
             /// Every code, three letters each, in alphabetical order.\n\
             pub(super) const CODES: &str = \"{codes}\";\n\n\
             /// The minor units of each code, in the same order.\n\
             pub(super) static EXPONENTS: &[u8] = &[{}];\n\n\
             /// The English name of each code, in the same order.\n\
             pub(super) static NAMES: &[&str] = &[\n    {},\n];\n",
            exponents.join(", "),
            names.join(",\n    "),
        )
    }

    #[test]
    fn the_currency_table_is_the_crates() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/currency_table.rs");
        let expected = generated_table();
        if std::env::var_os("PAYRULES_WRITE_CURRENCY_TABLE").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            expected,
            "run with PAYRULES_WRITE_CURRENCY_TABLE=1 to regenerate"
        );
        for code in super::currency_table::CODES.as_bytes().chunks(3) {
            let code = std::str::from_utf8(code).unwrap();
            let ours: Currency = code.parse().unwrap();
            let theirs = iso_currency::Currency::from_code(code).unwrap();
            assert_eq!(
                (ours.code(), ours.name(), ours.exponent()),
                (theirs.code(), theirs.name().to_owned(), theirs.exponent())
            );
            assert_eq!(format!("{ours:?}"), format!("Currency({theirs:?})"));
        }
    }
}

#[cfg(test)]
mod text_tests {
    use super::{Amount, text_fits_minor_units};

    proptest::proptest! {
        #[test]
        fn plain_text_fits_as_the_parsed_amount_does(text in "[0-9]{1,12}(\\.[0-9]{0,10})?|-?[0-9.eE+]{0,6}", exponent in 0u16..6) {
            if let Some(fits) = text_fits_minor_units(&text, exponent) {
                let amount: Amount = text.parse().unwrap();
                proptest::prop_assert_eq!(fits, amount.fits_minor_units(exponent), "{}", text);
            }
        }
    }

    #[test]
    fn only_plain_decimal_text_is_read() {
        assert_eq!(text_fits_minor_units("12.3400", 2), Some(true));
        assert_eq!(text_fits_minor_units("12.3410", 2), Some(false));
        assert_eq!(text_fits_minor_units("0.0000", 0), Some(true));
        assert_eq!(text_fits_minor_units("7", 0), Some(true));
        for other in ["", ".5", "5.", "-1.5", "1e3", "1.2.3", " 1", "1234567890123456789"] {
            assert_eq!(text_fits_minor_units(other, 2), None, "{other}");
        }
    }
}
