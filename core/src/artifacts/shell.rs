//! Quoting for the shell scripts tiermap writes. Names are Docker names by then, but
//! every word from the design is still quoted, so a check missed upstream cannot turn
//! into a command.

use std::borrow::Cow;

/// One word for bash: unchanged when it needs no quotes, else single-quoted.
pub fn quote(word: &str) -> Cow<'_, str> {
    // try_quote refuses only NUL, which no parsed name or address contains; drop it.
    match shlex::try_quote(word) {
        Ok(q) => q,
        Err(_) => Cow::Owned(format!(
            "'{}'",
            word.replace('\0', "").replace('\'', "'\\''")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn words_that_could_run_something_are_quoted() {
        assert_eq!(quote("web_tier"), "web_tier");
        assert_eq!(quote("x; rm -rf /"), "'x; rm -rf /'");
        assert_eq!(quote("$(id)"), "'$(id)'");
        assert_eq!(quote("it's"), "\"it's\"");
    }
}
