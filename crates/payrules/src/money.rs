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
        let d = Exact::read(text)?;
        let m = i128::try_from(d.mantissa).map_err(|_| AmountError::TooPrecise)?;
        Decimal::try_from_i128_with_scale(if d.negative { -m } else { m }, d.scale)
            .map(Amount)
            .map_err(|_| AmountError::TooPrecise)
    }
}

/// 2^96: rust_decimal's mantissas are below it.
const MANTISSA_LIMIT: u128 = 1 << 96;
/// rust_decimal's largest scale.
const MAX_SCALE: u32 = 28;

/// An amount's text read exactly as [`Amount`]'s parse reads it (rust_decimal's `from_str_exact`,
/// and `from_scientific` for an exponent), without rust_decimal: the validator's reader, so the
/// validation module carries no decimal arithmetic. A test compares it with rust_decimal's parse
/// on generated texts near every edge, and each method with [`Amount`]'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exact {
    /// Below zero (never set for zero, as in rust_decimal).
    negative: bool,
    /// The digits as an integer, below 2^96.
    mantissa: u128,
    /// The decimals written, at most 28.
    scale: u32,
}

/// How a text's digits read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `from_str_exact`: no digit beyond 28 decimals or 2^96.
    Exact,
    /// `from_str` (the mantissa of an exponent form): the first digit that does not fit rounds.
    Round,
}

impl Exact {
    /// [`Amount::from_str`], without building the decimal.
    pub(crate) fn read(text: &str) -> Result<Exact, AmountError> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
            return Err(AmountError::NotANumber);
        }
        if !t.bytes().any(|b| b.is_ascii_digit()) {
            return Err(AmountError::NotANumber);
        }
        match t.find(['e', 'E']) {
            None => Self::digits(t.as_bytes(), Mode::Exact),
            Some(at) => Self::scientific(t.get(..at).unwrap_or_default(), t.get(at + 1..).unwrap_or_default()),
        }
    }

    /// `Decimal::from_scientific`: the mantissa read with rounding, then the exponent applied.
    fn scientific(base: &str, exp: &str) -> Result<Exact, AmountError> {
        let mut d = Self::digits(base.as_bytes(), Mode::Round)?;
        if let Some(stripped) = exp.strip_prefix('-') {
            let e: u32 = stripped.parse().map_err(|_| AmountError::NotANumber)?;
            if e > MAX_SCALE || d.scale + e > MAX_SCALE {
                return Err(AmountError::TooPrecise);
            }
            d.scale += e;
        } else {
            let e: u32 = exp.parse().map_err(|_| AmountError::NotANumber)?;
            if e <= d.scale {
                d.scale -= e;
            } else if e > MAX_SCALE {
                return Err(AmountError::TooPrecise);
            } else {
                // Multiplied out, then normalized: a whole number (rust_decimal: "exceeds maximum
                // value", which the messages call not a number).
                let mut m = d.mantissa;
                for _ in 0..e - d.scale {
                    m = m.checked_mul(10).filter(|&m| m < MANTISSA_LIMIT).ok_or(AmountError::NotANumber)?;
                }
                d = Exact { negative: d.negative, mantissa: m, scale: 0 };
            }
        }
        Ok(d)
    }

    /// rust_decimal's reader of plain decimal text (`parse_str_radix_10`), for the bytes the
    /// amount's parse lets through (digits, `.`, signs): a sign only first, one point, digits
    /// until 2^96 or 28 decimals; what happens to the first digit beyond depends on `mode`.
    fn digits(bytes: &[u8], mode: Mode) -> Result<Exact, AmountError> {
        let (negative, rest) = match bytes.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            Some(_) => (false, bytes),
            None => return Err(AmountError::NotANumber),
        };
        let (mut mantissa, mut scale, mut point, mut any) = (0u128, 0u32, false, false);
        let mut i = 0;
        while let Some(&b) = rest.get(i) {
            i += 1;
            match b {
                b'0'..=b'9' => {
                    let next = mantissa * 10 + u128::from(b - b'0');
                    if next >= MANTISSA_LIMIT {
                        if !point || mode == Mode::Exact {
                            return Err(AmountError::TooPrecise);
                        }
                        return Self::rounded(negative, mantissa, scale, b, rest.get(i..).unwrap_or_default());
                    }
                    mantissa = next;
                    any = true;
                    scale += u32::from(point);
                    if point && scale >= MAX_SCALE && i < rest.len() {
                        if mode == Mode::Exact {
                            return Err(AmountError::TooPrecise);
                        }
                        let next = rest.get(i).copied().unwrap_or_default();
                        return Self::rounded(negative, mantissa, scale, next, rest.get(i + 1..).unwrap_or_default());
                    }
                }
                b'.' if !point => point = true,
                _ => return Err(AmountError::NotANumber),
            }
        }
        if !any {
            return Err(AmountError::NotANumber);
        }
        Ok(Exact { negative: negative && mantissa != 0, mantissa, scale })
    }

    /// rust_decimal's `maybe_round`: the first digit that does not fit (`next`, after a point)
    /// rounds half away from zero, and what follows must still be digits.
    fn rounded(
        negative: bool,
        mut mantissa: u128,
        mut scale: u32,
        next: u8,
        rest: &[u8],
    ) -> Result<Exact, AmountError> {
        if !next.is_ascii_digit() {
            return Err(AmountError::NotANumber);
        }
        if next >= b'5' {
            mantissa += 1;
            if mantissa >= MANTISSA_LIMIT {
                if scale == 0 {
                    return Err(AmountError::TooPrecise);
                }
                mantissa = (mantissa + 4) / 10;
                scale -= 1;
            }
        }
        if !rest.iter().all(u8::is_ascii_digit) {
            return Err(AmountError::NotANumber);
        }
        Ok(Exact { negative: negative && mantissa != 0, mantissa, scale })
    }

    /// 10^`n` for `n` ≤ 38.
    fn pow10(n: u32) -> u128 {
        10u128.pow(n.min(38))
    }

    /// Strictly above zero.
    pub(crate) fn is_positive(self) -> bool {
        !self.negative && self.mantissa != 0
    }

    /// Below zero.
    pub(crate) fn is_negative(self) -> bool {
        self.negative
    }

    /// The whole part's digits, without the sign (`12.5` gives `12`, `0.5` gives `0`).
    fn whole(self) -> u128 {
        self.mantissa / Self::pow10(self.scale)
    }

    /// The value as a whole number, if it has no fraction (`12.00` gives `12`, `-3.0` gives `-3`).
    pub(crate) fn whole_text(self) -> Option<String> {
        self.mantissa
            .is_multiple_of(Self::pow10(self.scale))
            .then(|| Exact { negative: self.negative, mantissa: self.whole(), scale: 0 }.to_string())
    }

    /// The same value without trailing decimal zeros (rust_decimal's `normalize`).
    fn normalized(self) -> Exact {
        let mut d = self;
        while d.scale > 0 && d.mantissa.is_multiple_of(10) {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    /// [`Amount::fits_minor_units`].
    pub(crate) fn fits_minor_units(self, exponent: u16) -> bool {
        self.normalized().scale <= u32::from(exponent)
    }

    /// [`Amount::integer_digits`].
    pub(crate) fn integer_digits(self) -> usize {
        let mut whole = self.whole();
        let mut n = 1;
        while whole >= 10 {
            whole /= 10;
            n += 1;
        }
        n
    }

    /// [`Amount::with_exact_decimals`]: the value with `decimals` decimals (fewer where the
    /// digits would pass 2^96, as rust_decimal's `rescale`), if that needs no rounding.
    pub(crate) fn with_exact_decimals(self, decimals: u32) -> Option<String> {
        let mut d = self.normalized();
        if d.scale > decimals {
            return None;
        }
        if d.mantissa == 0 {
            d.scale = decimals.min(MAX_SCALE);
        }
        while d.scale < decimals && d.mantissa * 10 < MANTISSA_LIMIT {
            d.mantissa *= 10;
            d.scale += 1;
        }
        Some(d.to_string())
    }
}

impl fmt::Display for Exact {
    /// As rust_decimal writes the same value: `-0.050`, `12`, `0.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = Digits(self.mantissa).to_string();
        let scale = self.scale as usize;
        let point = digits.len().saturating_sub(scale);
        let (whole, frac) = (digits.get(..point).unwrap_or_default(), digits.get(point..).unwrap_or_default());
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if whole.is_empty() { "0" } else { whole })?;
        if scale > 0 {
            f.write_str(".")?;
            for _ in frac.len()..scale {
                f.write_str("0")?;
            }
            f.write_str(frac)?;
        }
        Ok(())
    }
}

/// A `u128` written as its `Display` writes it, by the `u64` formatting the module has anyway (19
/// digits at a time), so `u128`'s own formatting code is not in the validation module.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Digits(pub(crate) u128);

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const E19: u128 = 10_000_000_000_000_000_000;
        match u64::try_from(self.0) {
            Ok(n) => write!(f, "{n}"),
            Err(_) => write!(f, "{}{:019}", Digits(self.0 / E19), u64::try_from(self.0 % E19).unwrap_or(0)),
        }
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

    /// Accepts an alphabetic code as ISO 4217 writes it (`EUR`); case matters. The codes of its
    /// first letter are compared by their other two letters (a table of where each first letter begins: a few codes at most).
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        if let [first @ b'A'..=b'Z', second @ b'A'..=b'Z', third @ b'A'..=b'Z'] = *code.as_bytes() {
            let letter = usize::from(first - b'A');
            let codes = currency_table::CODES.as_bytes();
            if let (Some(&from), Some(&to)) = (FIRST_LETTERS.get(letter), FIRST_LETTERS.get(letter + 1)) {
                for i in usize::from(from)..usize::from(to) {
                    if codes.get(i * 3 + 1..i * 3 + 3) == Some(&[second, third]) {
                        return u16::try_from(i).map(Currency).map_err(|_| UnknownCurrency);
                    }
                }
            }
        }
        Err(UnknownCurrency)
    }
}

/// Where the codes of each first letter begin in the alphabetical `CODES` (by index), `A` to `Z`,
/// and then their count: computed when compiling (an index out of bounds there fails the build).
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)] // evaluated at compile time; `n < 256`
const FIRST_LETTERS: [u8; 27] = {
    let codes = currency_table::CODES.as_bytes();
    let n = codes.len() / 3;
    assert!(n < 256, "a code's index is kept in a byte");
    let mut starts = [0u8; 27];
    let (mut letter, mut i) = (0u8, 0);
    while letter < 26 {
        while i < n && codes[i * 3] < b'A' + letter {
            i += 1;
        }
        starts[letter as usize] = i as u8;
        letter += 1;
    }
    starts[26] = n as u8;
    starts
};

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
    fn digits_are_written_as_u128_display_writes_them() {
        let e19 = 10_000_000_000_000_000_000u128;
        let mut values = vec![0, 1, 9, 10, u128::from(u64::MAX), u128::from(u64::MAX) + 1, e19 - 1, e19, e19 + 1];
        values.extend([e19 * e19 - 1, e19 * e19, e19 * e19 * 3 + 5, (1 << 96) - 1, u128::MAX, u128::MAX - 1]);
        values.extend((0..128).map(|b| 1u128 << b).chain((1..128).map(|b| (1u128 << b) - 1)));
        for n in values {
            assert_eq!(super::Digits(n).to_string(), n.to_string());
        }
    }

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

    #[test]
    fn every_three_letter_text_is_a_code_exactly_when_the_table_has_it() {
        let codes: Vec<&str> = Currency::codes().collect();
        let letters = || (b'A'..=b'Z').chain([b'a', b'@', b'[', b'0']);
        for a in letters() {
            for b in letters() {
                for c in letters() {
                    let text = String::from_utf8(vec![a, b, c]).unwrap();
                    let found = text.parse::<Currency>().ok().map(Currency::code);
                    assert_eq!(found, codes.contains(&text.as_str()).then_some(text.as_str()), "{text}");
                }
            }
        }
        for other in ["", "EU", "EURO", "EUR ", " EUR", "eur", "Eur"] {
            assert!(other.parse::<Currency>().is_err(), "{other:?}");
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

#[cfg(test)]
mod exact_tests {
    use super::{Amount, AmountError, Exact};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    /// The amount's parse as it was, on rust_decimal (`from_str_exact`, `from_scientific`, the
    /// error's message sorted into the two kinds): the oracle for [`Exact::read`].
    fn reference(text: &str) -> Result<Decimal, AmountError> {
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
        parsed.map_err(|err| {
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

    /// Every answer the validator takes from a parsed amount, from rust_decimal.
    fn decimal_answers(d: Decimal) -> Vec<String> {
        let a = Amount::from_decimal(d);
        let mut out = vec![
            format!("{} {} {}", d.is_sign_negative(), d.mantissa().unsigned_abs(), d.scale()),
            d.to_string(),
            format!("{} {}", a.is_positive(), a.is_negative()),
            format!("{:?}", d.fract().is_zero().then(|| d.trunc().normalize().to_string())),
            a.integer_digits().to_string(),
        ];
        out.extend((0..6).map(|e| a.fits_minor_units(e).to_string()));
        out.extend([0, 1, 2, 3, 4, 5, 8, 12, 20, 28].map(|d| format!("{:?}", a.with_exact_decimals(d))));
        out
    }

    /// The same answers from [`Exact`].
    fn exact_answers(d: Exact) -> Vec<String> {
        let mut out = vec![
            format!("{} {} {}", d.negative, d.mantissa, d.scale),
            d.to_string(),
            format!("{} {}", d.is_positive(), d.is_negative()),
            format!("{:?}", d.whole_text()),
            d.integer_digits().to_string(),
        ];
        out.extend((0..6).map(|e| d.fits_minor_units(e).to_string()));
        out.extend([0, 1, 2, 3, 4, 5, 8, 12, 20, 28].map(|n| format!("{:?}", d.with_exact_decimals(n))));
        out
    }

    fn same_as_rust_decimal(text: &str) -> Result<(), TestCaseError> {
        let theirs = reference(text);
        let ours = Exact::read(text);
        if let (Ok(t), Ok(o)) = (&theirs, &ours) {
            prop_assert_eq!(decimal_answers(*t), exact_answers(*o), "{:?}", text);
        } else {
            prop_assert_eq!(theirs.as_ref().err(), ours.as_ref().err(), "{:?}: {:?} {:?}", text, theirs, ours);
        }
        let amount = text.parse::<Amount>().map(|a| (a, a.value().scale(), a.to_string()));
        prop_assert_eq!(amount, theirs.map(|d| (Amount::from_decimal(d), d.scale(), d.to_string())), "{:?}", text);
        Ok(())
    }

    /// Digits near 2^96 (79228162514264337593543950336), with a point placed anywhere.
    fn near_limit() -> impl Strategy<Value = String> {
        (-3i64..=3, 0usize..31, "[0-9]{0,3}", "([eE][+-]?[0-9]{1,2})?").prop_map(|(delta, point, more, exp)| {
            let m = (1u128 << 96).checked_add_signed(i128::from(delta)).unwrap_or_default();
            let digits = format!("{m}{more}");
            let at = point.min(digits.len());
            let text = if point > 29 { digits } else { format!("{}.{}", &digits[..at], &digits[at..]) };
            format!("{text}{exp}")
        })
    }

    fn texts() -> impl Strategy<Value = String> {
        prop_oneof![
            // digit counts 26-30 around scale 28, leading zeros, signs, trailing points
            "[ ]?[+-]?0{0,3}[0-9]{0,3}\\.[0-9]{24,31}[ ]?",
            "[+-]?[0-9]{26,31}(\\.[0-9]{0,3})?",
            "[+-]?0\\.0{20,30}[0-9]{0,4}",
            // short texts: `.5`, `5.`, `1e`, `+`, double signs and points
            "[+-]{0,2}[0-9]{0,3}\\.?[0-9]{0,3}\\.?[0-9]{0,2}",
            // exponents, small and huge, signed, with `+` after the sign
            "[+-]?[0-9]{0,4}(\\.[0-9]{0,30})?[eE][+-]{0,2}[0-9]{0,2}",
            "[+-]?[0-9]{0,30}(\\.[0-9]{0,30})?[eE][+-]?(2[6-9]|30|[0-9]{9,12})",
            "[+-]?[0-9]{1,3}[eE][0-9][eE.][0-9]",
            near_limit(),
            "[ \\t]{0,2}[0-9eE.+-]{0,8}[ \\t]{0,2}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn reads_as_rust_decimal_does(text in texts()) {
            same_as_rust_decimal(&text)?;
        }
    }

    #[test]
    fn reads_the_edges_as_rust_decimal_does() {
        #[rustfmt::skip]
        const EDGES: &[&str] = &[
            "0", "-0", "+0", "-0.00", ".5", "5.", "-.5", "+.5", ".", "-", "+", "1e", "1e+", "1e-", "e5", "-e5",
            "1e5", "1E+5", "1e-5", "1.50e1", "1.50e-1", "1.5e2", "-1.5e2", "0e30", "1e28", "8e28", "1e29", "1e-28",
            "1e-29", "1.5e-27", "1e4294967295", "1e4294967296", "1e-4294967296", "1e--3", "1e-+3", "1e+-3", "1e3e",
            "1.2.3", "+-1", "--1", "1-", "1+", " 12.5 ", "\t7\n", "00012.3400", "12.3400", "1_0",
            "0.0000000000000000000000000001", "0.00000000000000000000000000015",
            "0.00000000000000000000000000014e0", "0.00000000000000000000000000015e0",
            "0.0000000000000000000000000001.", "0.0000000000000000000000000001.e0",
            "9.99999999999999999999999999995e0", "0.99999999999999999999999999995e0",
            "79228162514264337593543950335.5e0", "79228162514264337593543950335.4e0",
            "7922816251426433759354395033.55e0", "7922816251426433759354395033.5e1",
            // what the proptest found on broken readers (a whole part's sign, rounding at 5, scale 28)
            "-00000000000000000000000001", "10.0000000000000000000000000005e0", ".00000000000000000000000000000",
        ];
        let limit = (1u128 << 96).to_string();
        let below = ((1u128 << 96) - 1).to_string();
        let mut cases: Vec<String> = EDGES.iter().map(|&t| t.to_owned()).collect();
        for m in [&limit, &below] {
            cases.push(m.clone());
            cases.push(format!("{m}.0"));
            cases.push(format!("{m}e0"));
            cases.push(format!("{m}.9e0"));
            cases.push(format!("0.{m}"));
            cases.push(format!("0.{m}e0"));
            cases.push(format!("{}.{}e0", &m[..1], &m[1..]));
            cases.push(format!("{}.{}9e-1", &m[..1], &m[1..]));
        }
        for text in &cases {
            same_as_rust_decimal(text).unwrap();
        }
    }
}
