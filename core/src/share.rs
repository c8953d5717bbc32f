//! What a share link carries: the design's stack file and, when the review set one, its
//! baseline's, so the link opens the same design on another machine with no server.
//! The page deflates this text into the URL fragment, which browsers never send.

use thiserror::Error;

/// The fragment of a share link starts with this.
pub const FRAGMENT_PREFIX: &str = "#tiermap=";

/// Longest link the page offers: chat tools and mail clients cut longer ones, and a
/// design that large is better shared as its file.
pub const MAX_LINK_CHARS: usize = 16_000;

/// First field of the packed text; a later format gets a new one.
const FORMAT: &str = "tiermap-share-1";

/// Separates the fields: YAML text cannot contain a NUL character.
const SEPARATOR: char = '\0';

/// A design as a share link holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// The stack name.
    pub stack: String,
    /// The design's stack file.
    pub design: String,
    /// The baseline's stack file, if the review set one.
    pub baseline: Option<String>,
}

/// Why a share link cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShareError {
    /// The text was not made by tiermap, or was cut short.
    #[error("the link is incomplete or was not made by tiermap; ask for the link again, or for the stack file")]
    Damaged,
    /// Made by a newer tiermap.
    #[error("the link was made by a newer tiermap (format `{0}`); open it with that version")]
    Format(String),
}

impl Shared {
    /// The text to compress into a link.
    pub fn pack(&self) -> String {
        let mut out = format!(
            "{FORMAT}{SEPARATOR}{}{SEPARATOR}{}",
            self.stack, self.design
        );
        if let Some(baseline) = &self.baseline {
            out.push(SEPARATOR);
            out.push_str(baseline);
        }
        out
    }

    /// Reads the text [`pack`](Self::pack) made.
    pub fn unpack(text: &str) -> Result<Shared, ShareError> {
        let mut fields = text.split(SEPARATOR);
        match fields.next() {
            Some(FORMAT) => {}
            Some(other) if other.starts_with("tiermap-share-") && other.len() < 40 => {
                return Err(ShareError::Format(other.to_string()))
            }
            _ => return Err(ShareError::Damaged),
        }
        let (Some(stack), Some(design)) = (fields.next(), fields.next()) else {
            return Err(ShareError::Damaged);
        };
        let baseline = fields.next().map(str::to_string);
        if stack.is_empty() || fields.next().is_some() {
            return Err(ShareError::Damaged);
        }
        Ok(Shared {
            stack: stack.to_string(),
            design: design.to_string(),
            baseline,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks_with_and_without_a_baseline() {
        let mut shared = Shared {
            stack: "scores".into(),
            design: "services:\n  api: {image: api}\n".into(),
            baseline: None,
        };
        assert_eq!(Shared::unpack(&shared.pack()), Ok(shared.clone()));
        shared.baseline = Some("services: {}\n".into());
        assert_eq!(Shared::unpack(&shared.pack()), Ok(shared.clone()));
        // An empty baseline file is still a baseline.
        shared.baseline = Some(String::new());
        assert_eq!(Shared::unpack(&shared.pack()), Ok(shared));
    }

    #[test]
    fn damaged_and_newer_links_say_so() {
        assert_eq!(Shared::unpack(""), Err(ShareError::Damaged));
        assert_eq!(Shared::unpack("services: {}"), Err(ShareError::Damaged));
        assert_eq!(
            Shared::unpack("tiermap-share-1\0scores"),
            Err(ShareError::Damaged)
        );
        assert_eq!(
            Shared::unpack("tiermap-share-1\0\0services: {}"),
            Err(ShareError::Damaged)
        );
        assert_eq!(
            Shared::unpack("tiermap-share-1\0a\0b\0c\0d"),
            Err(ShareError::Damaged)
        );
        assert_eq!(
            Shared::unpack("tiermap-share-2\0a\0b"),
            Err(ShareError::Format("tiermap-share-2".into()))
        );
    }
}
