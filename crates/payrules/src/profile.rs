//! [`Profile`]: which of the payment APIs a request is for, generated from the registry.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

macro_rules! define_profile {
    ($($module:ident: $variant:ident = $vendor:literal;)*) => {
        /// One of the payment APIs (the registry in `registry.rs` lists them).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Profile {
            $(
                #[doc = $vendor]
                $variant,
            )*
        }

        impl Profile {
            /// Every profile, in the order they are listed.
            pub const ALL: [Profile; [$(stringify!($variant)),*].len()] = [$(Profile::$variant),*];

            /// The id used in requests, file names and the UI (`komet`).
            pub fn id(self) -> &'static str {
                match self {
                    $(Profile::$variant => stringify!($module),)*
                }
            }

            /// The vendor's product name (`Komet Sales`).
            pub fn vendor(self) -> &'static str {
                match self {
                    $(Profile::$variant => $vendor,)*
                }
            }
        }
    };
}

vendors!(define_profile);

impl Serialize for Profile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The profile id is not one of the registered ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown profile `{}`; the profiles are {}", self.0, profile_list())
    }
}

impl std::error::Error for UnknownProfile {}

fn profile_list() -> String {
    Profile::ALL.iter().map(|p| p.id()).collect::<Vec<_>>().join(", ")
}

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL.into_iter().find(|p| p.id() == s).ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}
