//! Stored vocabularies read from the database as their typed enums: a value that is not in the
//! vocabulary makes the query fail (logged, shown as the generic message), never a silent default.

use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::{Decode, Postgres, Type};

/// An enum stored under its `as_str` name.
pub trait Vocabulary: Sized {
    fn parse_stored(s: &str) -> Option<Self>;
}

macro_rules! vocabulary {
    ($($t:ty),* $(,)?) => {
        $(impl Vocabulary for $t {
            fn parse_stored(s: &str) -> Option<Self> {
                <$t>::parse(s)
            }
        })*
    };
}

vocabulary!(
    shared::application::ApplicantId,
    shared::case::CaseState,
    shared::case::ItemType,
    shared::case::HandlingMode,
    shared::case::Channel,
    shared::case::SpecialStepKind,
    shared::catalog::Category,
    shared::catalog::MaterialForm,
    shared::filing::FilingStatus,
    shared::Role,
    shared::reception::BookingPurpose,
    shared::reception::BookingStatus,
);

/// A column of a stored vocabulary, decoded as its enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known<T>(pub T);

impl<T> Type<Postgres> for Known<T> {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl<'r, T: Vocabulary> Decode<'r, Postgres> for Known<T> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <&str as Decode<Postgres>>::decode(value)?;
        T::parse_stored(s).map(Known).ok_or_else(|| {
            format!(
                "unknown stored {}: {s:?}",
                std::any::type_name::<T>()
                    .rsplit("::")
                    .next()
                    .unwrap_or("value")
            )
            .into()
        })
    }
}

/// `term` with LIKE's wildcards and escape taken literally.
pub fn escape_like(term: &str) -> String {
    term.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
