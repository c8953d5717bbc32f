//! What the page needs from the browser: local storage, downloads, the clipboard,
//! reading dropped or picked files, and the clock. No request ever leaves the page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

const DESIGN_KEY: &str = "tiermap.design";
const NAME_KEY: &str = "tiermap.name";
const CORRUPT_KEY: &str = "tiermap.design.unreadable";
const BASELINE_KEY: &str = "tiermap.baseline";
const EXPORT_KEY: &str = "tiermap.export";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Whether the browser lets the page keep anything (not in some private modes).
pub fn has_storage() -> bool {
    storage().is_some()
}

/// The saved design's text, if any. An error when storage is unavailable (private mode).
pub fn load_design() -> Result<Option<String>, String> {
    let storage = storage().ok_or("This browser does not let the page save designs (local storage is off); your work will not survive a reload.")?;
    storage
        .get_item(DESIGN_KEY)
        .map_err(|_| "The saved design could not be read from local storage.".to_string())
}

/// The saved design's stack name.
pub fn load_name() -> Option<String> {
    storage()?.get_item(NAME_KEY).ok().flatten()
}

/// Saves the design (called on every change). False when the browser refused it (its
/// storage is full or off), so a reload would not find this design.
pub fn save_design(name: &str, text: &str) -> bool {
    storage().is_some_and(|storage| {
        storage.set_item(DESIGN_KEY, text).is_ok() && storage.set_item(NAME_KEY, name).is_ok()
    })
}

/// The saved baseline's text, if the review set one.
pub fn load_baseline() -> Option<String> {
    storage()?.get_item(BASELINE_KEY).ok().flatten()
}

/// Saves the baseline (or forgets it).
pub fn save_baseline(text: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match text {
            Some(text) => storage.set_item(BASELINE_KEY, text),
            None => storage.remove_item(BASELINE_KEY),
        };
    }
}

/// The Export panel's saved choices, if any.
pub fn load_export_options() -> Option<String> {
    storage()?.get_item(EXPORT_KEY).ok().flatten()
}

/// Saves the Export panel's choices.
pub fn save_export_options(text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(EXPORT_KEY, text);
    }
}

/// Keeps a saved text that no longer reads, so it is not lost when a new design is saved.
pub fn keep_corrupt(text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(CORRUPT_KEY, text);
    }
}

/// The unreadable saved text kept by [`keep_corrupt`], if any.
pub fn corrupt_text() -> Option<String> {
    storage()?.get_item(CORRUPT_KEY).ok().flatten()
}

/// Offers `text` as a file download.
pub fn download(file_name: &str, mime: &str, text: &str) {
    let blob = gloo_file::Blob::new_with_options(text, Some(mime));
    let url = gloo_file::ObjectUrl::from(blob);
    click_download(&url, file_name);
    // The object URL is revoked when `url` drops; the click has started the download by then.
}

/// Starts the download of `url` (an object or data URL) as `file_name`.
fn click_download(url: &str, file_name: &str) {
    let Some(anchor) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    anchor.set_href(url);
    anchor.set_download(file_name);
    anchor.click();
}

/// Renders an SVG drawing of `width` x `height` to a PNG at twice that size (sharp on
/// a projector and in slides) on a white background, and offers it as a download.
pub fn download_png(file_name: String, svg: &str, width: f64, height: f64) {
    let blob = gloo_file::Blob::new_with_options(svg, Some("image/svg+xml"));
    let url = gloo_file::ObjectUrl::from(blob);
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    image.set_src(&url);
    wasm_bindgen_futures::spawn_local(async move {
        // The object URL lives until the image has been decoded.
        let decoded = wasm_bindgen_futures::JsFuture::from(image.decode()).await;
        drop(url);
        let canvas = document()
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        let (Ok(_), Some(canvas)) = (decoded, canvas) else {
            return;
        };
        let (w, h) = (width * 2.0, height * 2.0);
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let Some(context) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        context.set_fill_style_str("#ffffff");
        context.fill_rect(0.0, 0.0, w, h);
        let _ = context.draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, w, h);
        if let Ok(data) = canvas.to_data_url_with_type("image/png") {
            click_download(&data, &file_name);
        }
    });
}

/// Copies text to the clipboard; `done` gets whether it worked.
pub fn copy(text: String, done: impl FnOnce(bool) + 'static) {
    let clipboard = window().navigator().clipboard();
    let promise = clipboard.write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// Reads a picked or dropped file as text.
pub fn read_file(file: web_sys::File, done: impl FnOnce(String, Result<String, String>) + 'static) {
    let file = gloo_file::File::from(file);
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = gloo_file::futures::read_as_text(&file)
            .await
            .map_err(|e| e.to_string());
        done(name, text);
    });
}

/// Asks for full screen, or leaves it. Browsers may refuse (no user gesture, an
/// embedding frame); the page then presents in the window, which works as well.
pub fn full_screen(on: bool) {
    let document = document();
    if on {
        if let Some(root) = document.document_element() {
            let _ = root.request_fullscreen();
        }
    } else if document.fullscreen_element().is_some() {
        document.exit_fullscreen();
    }
}

/// Milliseconds since the page loaded.
pub fn now() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// Measures from `start` to the moment the view has been updated and publishes it as
/// `data-last-update-ms` on the body, where the end-to-end tests read it. Moves, template
/// opens and imports publish it; the first one also compiles this code, so opening a
/// design keeps that cost out of the first move's figure.
pub fn publish_update_time(start: f64) {
    publish("data-last-update-ms", start);
}

/// Publishes how long the diagram's last layout took (core's `layout_with`, in the
/// page's WebAssembly) as `data-last-layout-ms` on the body, where the end-to-end tests
/// print it beside the update time.
pub fn publish_layout_time(start: f64) {
    stamp("data-last-layout-ms", start);
}

/// Publishes the time from navigation to the first view of the open design, ready for
/// input, as `data-ready-ms` on the body.
pub fn publish_ready() {
    publish("data-ready-ms", 0.0);
}

/// Publishes the time from navigation to the end of compiling ahead (see `compile_ahead`
/// in main.rs) as `data-warm-ms` on the body: from then on a file opened runs compiled
/// code, as one picked in a file dialog does.
pub fn publish_warm() {
    stamp("data-warm-ms", 0.0);
}

/// Writes the milliseconds since `start` to `attribute` on the body, now.
fn stamp(attribute: &str, start: f64) {
    if let Some(body) = document().body() {
        let _ = body.set_attribute(attribute, &milliseconds_since(start));
    }
}

/// How many turns of the microtask queue the view takes at most to settle after a
/// change: each effect that wakes another (the selection waking the two cards it
/// concerns, a list creating its rows) takes one. The end-to-end tests check that no
/// part of the page changes after the figure is taken.
const SETTLE_TURNS: usize = 12;

/// Waits until every effect a change woke has run and the browser has restyled and laid
/// out the page (forced here, so the figure never includes waiting for the next frame;
/// painting is not in it), then writes the milliseconds since `start` to `attribute`.
fn publish(attribute: &'static str, start: f64) {
    wasm_bindgen_futures::spawn_local(async move {
        for _ in 0..SETTLE_TURNS {
            let tick =
                wasm_bindgen_futures::js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
            let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
        }
        let Some(body) = document().body() else {
            return;
        };
        let _ = body.offset_height();
        let _ = body.set_attribute(attribute, &milliseconds_since(start));
    });
}

/// The milliseconds since `start`, to hundredths, formatted as integers: float
/// formatting would add a large part of std to the page.
fn milliseconds_since(start: f64) -> String {
    let hundredths = ((now() - start) * 100.0).round() as i64;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}
