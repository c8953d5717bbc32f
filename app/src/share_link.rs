//! Share links: the design deflated by the browser's own `CompressionStream` and
//! written in base64url into the URL fragment, which never leaves the browser. The
//! format of the text inside is core's (`tiermap_core::share`).

use tiermap_core::share::{Shared, FRAGMENT_PREFIX, MAX_LINK_CHARS};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{js_sys, JsFuture};
use web_sys::{CompressionFormat, ReadableStream, ReadableWritablePair, Response};

/// Why a link could not be made or opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The design does not fit in a link of [`MAX_LINK_CHARS`].
    TooLarge(usize),
    /// The browser could not compress or decompress (the text says where).
    Browser(String),
    /// The link's content is not a design.
    Content(tiermap_core::share::ShareError),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::TooLarge(n) => write!(
                f,
                "This design is too large for a link ({n} characters, at most {MAX_LINK_CHARS}). Share the stack file instead: Download stack file."
            ),
            LinkError::Browser(what) => write!(f, "The browser could not {what}."),
            LinkError::Content(e) => write!(f, "The share link could not be opened: {e}."),
        }
    }
}

/// The full link for `shared`: this page's address with the design in its fragment.
pub async fn make(shared: &Shared) -> Result<String, LinkError> {
    let browser = |_| LinkError::Browser("compress the design".into());
    let packed = gloo_file::Blob::new(shared.pack().as_str());
    let format = CompressionFormat::DeflateRaw;
    let compressed = web_sys::CompressionStream::new(format).map_err(browser)?;
    let pair = ReadableWritablePair::new(&compressed.readable(), &compressed.writable());
    let bytes = read_bytes(packed, &pair).await.map_err(browser)?;
    // btoa takes a "binary string": one character per byte.
    let binary: String = bytes.iter().map(|&b| char::from(b)).collect();
    let base64 = leptos::prelude::window().btoa(&binary).map_err(browser)?;
    let fragment: String = base64
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    // The page's own address without its fragment: `origin` is "null" for a page opened
    // from a file, whose link must point at that file.
    let href = leptos::prelude::window()
        .location()
        .href()
        .unwrap_or_default();
    let page = href.split('#').next().unwrap_or_default();
    let link = format!("{page}{FRAGMENT_PREFIX}{fragment}");
    if link.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLarge(link.len()));
    }
    Ok(link)
}

/// The design in this page's fragment, if the page was opened from a share link.
pub fn fragment() -> Option<String> {
    let hash = leptos::prelude::window().location().hash().ok()?;
    hash.strip_prefix(FRAGMENT_PREFIX).map(str::to_string)
}

/// Removes the fragment, so a reload opens the saved design (with the person's edits)
/// rather than the link's original again.
pub fn forget_fragment() {
    let window = leptos::prelude::window();
    let Ok(history) = window.history() else {
        return;
    };
    let location = window.location();
    let url = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
}

/// Reads the design out of a fragment.
pub async fn open(fragment: &str) -> Result<Shared, LinkError> {
    let browser = |_| LinkError::Browser("read the share link (it may be cut short)".into());
    let base64: String = fragment
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let binary = leptos::prelude::window().atob(&base64).map_err(browser)?;
    let bytes: Vec<u8> = binary
        .chars()
        .map(|c| u8::try_from(c).unwrap_or(0))
        .collect();
    let format = CompressionFormat::DeflateRaw;
    let inflate = web_sys::DecompressionStream::new(format).map_err(browser)?;
    let pair = ReadableWritablePair::new(&inflate.readable(), &inflate.writable());
    let text = read_bytes(gloo_file::Blob::new(bytes.as_slice()), &pair)
        .await
        .map_err(browser)?;
    let text = String::from_utf8(text)
        .map_err(|_| LinkError::Content(tiermap_core::share::ShareError::Damaged))?;
    Shared::unpack(&text).map_err(LinkError::Content)
}

/// Pipes a blob through a transform stream and collects the bytes.
async fn read_bytes(
    blob: gloo_file::Blob,
    pair: &ReadableWritablePair,
) -> Result<Vec<u8>, JsValue> {
    let blob: web_sys::Blob = blob.into();
    let stream: ReadableStream = blob.stream().pipe_through(pair);
    let response = Response::new_with_opt_readable_stream(Some(&stream))?;
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    let buffer: js_sys::ArrayBuffer = buffer.dyn_into()?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
