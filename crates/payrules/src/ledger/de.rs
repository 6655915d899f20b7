//! Reading the biggest record structs of a snapshot: the same `Deserialize` as serde's derive
//! with `#[serde(deny_unknown_fields)]` (the same calls on the deserializer, the same errors in the
//! same order), in less code.
//!
//! The derive keeps every field read so far in a local of its own and drops each of them at every
//! early return, so its code grows with fields × returns: the crmcom and LogiSense states and
//! payments (14–26 fields) were 6–15 KB of WebAssembly each (BENCHMARKS.md, "Size levers"). Here
//! the fields read so far live in one boxed `Partial`, dropped with one call wherever the reading
//! stops, and the field names are matched by one shared [`Key`].
//!
//! ```text
//! read_struct!(State { tokens: "tokens", kind: "type", udfs: "udfs" (default) });
//! ```
//! lists every field in declaration order with its serde name; `(default)` marks
//! `#[serde(default)]`. The struct keeps `#[derive(Serialize)]` and its `#[serde]` attributes for
//! writing; the tests read every sample and snapshot back through these readers.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, Error, Visitor};

/// A field name read as its index in the struct's field list (serde's derived `__Field`).
pub(crate) struct Key(pub(crate) &'static [&'static str]);

impl<'de> de::DeserializeSeed<'de> for Key {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = usize;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("field identifier")
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<usize, E> {
        usize::try_from(value)
            .ok()
            .filter(|&i| i < self.0.len())
            .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(value), &FieldIndex(self.0.len())))
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<usize, E> {
        self.0.iter().position(|name| *name == value).ok_or_else(|| E::unknown_field(value, self.0))
    }

    fn visit_bytes<E: Error>(self, value: &[u8]) -> Result<usize, E> {
        self.0
            .iter()
            .position(|name| name.as_bytes() == value)
            .ok_or_else(|| E::unknown_field(&String::from_utf8_lossy(value), self.0))
    }
}

/// `field index 0 <= i < N`, the derive's words for a field index out of range.
struct FieldIndex(usize);

impl de::Expected for FieldIndex {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "field index 0 <= i < {}", self.0)
    }
}

/// `struct State with 15 elements`, the derive's words for a struct given as a too short array.
pub(crate) struct Elements(pub(crate) &'static str, pub(crate) usize);

impl de::Expected for Elements {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1 == 1 {
            write!(formatter, "{} with 1 element", self.0)
        } else {
            write!(formatter, "{} with {} elements", self.0, self.1)
        }
    }
}

/// What a missing field is read from (serde's `missing_field`): an `Option` reads `None`, every
/// other type fails with `missing field`.
pub(crate) struct Missing<E>(pub(crate) &'static str, pub(crate) PhantomData<E>);

impl<'de, E: Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Reads the value of a field whose name was just read (`duplicate field` if it was read before).
/// One function per field type, not per field: the structs share them.
#[inline(never)]
pub(crate) fn value<'de, A: de::MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(A::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A field missing from the map: its default, or what [`Missing`] gives (`None`, or the error).
#[inline(never)]
pub(crate) fn missing<'de, E: Error, T: Deserialize<'de>>(slot: &mut Option<T>, name: &'static str) -> Result<(), E> {
    if slot.is_none() {
        *slot = Some(T::deserialize(Missing::<E>(name, PhantomData))?);
    }
    Ok(())
}

/// A field missing from the map with `#[serde(default)]`.
#[inline(never)]
pub(crate) fn missing_default<T: Default>(slot: &mut Option<T>) {
    if slot.is_none() {
        *slot = Some(T::default());
    }
}

/// The next element of a struct given as an array (`invalid length` when there is none).
#[inline(never)]
pub(crate) fn element<'de, A: de::SeqAccess<'de>, T: Deserialize<'de>>(
    seq: &mut A,
    slot: &mut Option<T>,
    index: usize,
    expected: &Elements,
) -> Result<(), A::Error> {
    *slot = seq.next_element()?;
    if slot.is_none() {
        return Err(A::Error::invalid_length(index, expected));
    }
    Ok(())
}

/// The next element of a struct given as an array, for a field with `#[serde(default)]`.
#[inline(never)]
pub(crate) fn element_or_default<'de, A: de::SeqAccess<'de>, T: Deserialize<'de> + Default>(
    seq: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(seq.next_element()?.unwrap_or_default());
    Ok(())
}

/// `impl Deserialize` for a struct, as the derive with `deny_unknown_fields` (see the module).
macro_rules! read_struct {
    ($ty:ident { $($field:ident: $name:literal $(($default:ident))?),* $(,)? }) => {
        const _: () = {
            use serde::de::Error as _;
            use $crate::ledger::de::{Elements, Key};

            const FIELDS: &[&str] = &[$($name),*];
            const EXPECTING: &str = concat!("struct ", stringify!($ty));

            /// The fields read so far (each type parameter is its field's type, inferred).
            #[allow(non_camel_case_types)]
            struct Partial<$($field),*> { $($field: Option<$field>),* }

            struct StructVisitor;

            impl<'de> serde::Deserialize<'de> for $ty {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer.deserialize_struct(stringify!($ty), FIELDS, StructVisitor)
                }
            }

            impl<'de> serde::de::Visitor<'de> for StructVisitor {
                type Value = $ty;

                fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    formatter.write_str(EXPECTING)
                }

                fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<$ty, A::Error> {
                    let mut partial = Box::new(Partial { $($field: None),* });
                    // Every early return is inside the closure, so what was read is dropped in one place.
                    #[allow(unused_assignments)]
                    let mut read = || -> Result<(), A::Error> {
                        let expected = Elements(EXPECTING, FIELDS.len());
                        let mut index = 0usize;
                        $(
                            $crate::ledger::de::read_struct!(@element seq, partial.$field, index, expected $(, $default)?);
                            index += 1;
                        )*
                        Ok(())
                    };
                    read()?;
                    match *partial {
                        Partial { $($field: Some($field)),* } => Ok($ty { $($field),* }),
                        _ => Err(A::Error::custom("a field was not read")),
                    }
                }

                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$ty, A::Error> {
                    let mut partial = Box::new(Partial { $($field: None),* });
                    #[allow(unused_assignments)]
                    let mut read = || -> Result<(), A::Error> {
                        while let Some(key) = map.next_key_seed(Key(FIELDS))? {
                            let mut index = 0usize;
                            $(
                                if key == index {
                                    $crate::ledger::de::value(&mut map, &mut partial.$field, $name)?;
                                }
                                index += 1;
                            )*
                        }
                        $($crate::ledger::de::read_struct!(@missing A, partial.$field, $name $(, $default)?);)*
                        Ok(())
                    };
                    read()?;
                    match *partial {
                        Partial { $($field: Some($field)),* } => Ok($ty { $($field),* }),
                        _ => Err(A::Error::custom("a field was not read")),
                    }
                }
            }
        };
    };
    (@element $seq:ident, $slot:expr, $index:ident, $expected:ident) => {
        $crate::ledger::de::element(&mut $seq, &mut $slot, $index, &$expected)?
    };
    (@element $seq:ident, $slot:expr, $index:ident, $expected:ident, default) => {
        $crate::ledger::de::element_or_default(&mut $seq, &mut $slot)?
    };
    (@missing $a:ident, $slot:expr, $name:literal) => {
        $crate::ledger::de::missing::<$a::Error, _>(&mut $slot, $name)?
    };
    (@missing $a:ident, $slot:expr, $name:literal, default) => {
        $crate::ledger::de::missing_default(&mut $slot)
    };
}

pub(crate) use read_struct;

#[cfg(test)]
mod tests {
    /// The derive's reader, the reference (the same struct name: the messages name it).
    mod derived {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct Rec {
            pub(super) a: String,
            pub(super) b: Option<String>,
            #[serde(default)]
            pub(super) c: Vec<u64>,
            #[serde(rename = "type")]
            pub(super) kind: u64,
        }
    }

    /// The same struct read by `read_struct!`.
    mod read {
        #[derive(Debug, PartialEq)]
        pub(super) struct Rec {
            pub(super) a: String,
            pub(super) b: Option<String>,
            pub(super) c: Vec<u64>,
            pub(super) kind: u64,
        }

        crate::ledger::de::read_struct!(Rec { a: "a", b: "b", c: "c"(default), kind: "type" });
    }

    #[test]
    fn reads_and_refuses_exactly_as_the_derive() {
        let inputs = [
            r#"{"a":"x","b":"y","c":[1,2],"type":5}"#,
            r#"{"a":"x","type":5}"#,
            r#"{"type":5,"a":"x","b":null}"#,
            "{}",
            r#"{"a":"x"}"#,
            r#"{"type":5}"#,
            r#"{"a":"x","a":"y","type":5}"#,
            r#"{"a":"x","type":5,"type":6}"#,
            r#"{"a":1,"type":5}"#,
            r#"{"a":"x","type":-5}"#,
            r#"{"a":"x","type":5.5}"#,
            r#"{"a":"x","type":"5"}"#,
            r#"{"a":"x","zz":1,"type":5}"#,
            r#"{"a":"x","kind":5}"#,
            r#"{"a":"x","c":null,"type":5}"#,
            r#"{"a":"x","type":5,}"#,
            r#"{"a":"x" "type":5}"#,
            r#"{"a":"x","type":5} x"#,
            r#"{"a":"x","type":5"#,
            r#"{"a\u0000":"x"}"#,
            "[]",
            r#"["x"]"#,
            r#"["x",null]"#,
            r#"["x",null,[1]]"#,
            r#"["x",null,[1],5]"#,
            r#"["x",null,[1],5,6]"#,
            r#"["x",null,[1],"5"]"#,
            "[1]",
            r#""text""#,
            "null",
            "12.5",
            "true",
            "",
        ];
        for input in inputs {
            let derived = serde_json::from_str::<derived::Rec>(input)
                .map(|d| read::Rec { a: d.a, b: d.b, c: d.c, kind: d.kind })
                .map_err(|e| e.to_string());
            let read = serde_json::from_str::<read::Rec>(input).map_err(|e| e.to_string());
            assert_eq!(read, derived, "{input}");
        }
    }
}
