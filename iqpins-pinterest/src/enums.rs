//! String enums decoded from Pinterest. Each has an `Unknown(String)` arm, so a value that
//! Pinterest adds later decodes instead of failing the whole answer.

/// Declares a string enum with known values and an `Unknown(String)` arm, with serde,
/// `as_str` and `Display`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as Pinterest spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(v: String) -> Self {
                match v.as_str() {
                    $( $text => $name::$variant, )+
                    _ => $name::Unknown(v),
                }
            }
        }

        impl From<&str> for $name {
            fn from(v: &str) -> Self {
                $name::from(v.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use string_enum;
