//! The handwritten signature: drawn with a finger on a canvas, sent as a PNG, checked on the
//! server (a real PNG with ink on it) and stored with the case.

use leptos::prelude::*;

/// A signature pad; `value` holds the PNG data URL once something is drawn, `None` when clear.
#[component]
pub fn SignaturePad(
    value: RwSignal<Option<String>>,
    /// The id of the words that say what to do instead (sign a printed form).
    #[prop(optional)]
    described_by: Option<&'static str>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    #[cfg(feature = "hydrate")]
    let drawing = StoredValue::new(None::<(f64, f64)>);
    let down = move |_e: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        {
            _e.prevent_default();
            if let Some(p) = pad::point(&canvas, &_e) {
                drawing.set_value(Some(p));
                pad::line(&canvas, p, (p.0 + 0.5, p.1 + 0.5));
            }
        }
    };
    let moved = move |_e: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        if let (Some(from), Some(to)) = (drawing.get_value(), pad::point(&canvas, &_e)) {
            _e.prevent_default();
            pad::line(&canvas, from, to);
            drawing.set_value(Some(to));
        }
    };
    let up = move |_| {
        #[cfg(feature = "hydrate")]
        if drawing.get_value().is_some() {
            drawing.set_value(None);
            value.set(pad::data_url(&canvas));
        }
    };
    let clear = move |_| {
        #[cfg(feature = "hydrate")]
        pad::clear(&canvas);
        value.set(None);
    };
    view! {
        <div class="signature">
            <canvas node_ref=canvas width="600" height="220" class="signature-pad"
                aria-label="签名区：请用手指在框内签名" aria-describedby=described_by
                on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointerleave=up></canvas>
            <div class="signature-actions">
                <span class="hint">{move || if value.get().is_some() { "已签名" } else { "请在框内用手指签名" }}</span>
                <button type="button" class="button" on:click=clear>"重新签名"</button>
            </div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod pad {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    fn context(
        canvas: &NodeRef<leptos::html::Canvas>,
    ) -> Option<web_sys::CanvasRenderingContext2d> {
        canvas
            .get()?
            .get_context("2d")
            .ok()??
            .dyn_into::<web_sys::CanvasRenderingContext2d>()
            .ok()
    }

    /// The pointer's position in canvas pixels (the canvas is scaled by CSS on phones).
    pub fn point(
        canvas: &NodeRef<leptos::html::Canvas>,
        e: &web_sys::PointerEvent,
    ) -> Option<(f64, f64)> {
        let c = canvas.get()?;
        let r = c.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return None;
        }
        Some((
            (e.client_x() as f64 - r.left()) * c.width() as f64 / r.width(),
            (e.client_y() as f64 - r.top()) * c.height() as f64 / r.height(),
        ))
    }

    pub fn line(canvas: &NodeRef<leptos::html::Canvas>, from: (f64, f64), to: (f64, f64)) {
        if let Some(ctx) = context(canvas) {
            ctx.set_line_width(4.0);
            ctx.set_line_cap("round");
            ctx.set_stroke_style_str("#1f2328");
            ctx.begin_path();
            ctx.move_to(from.0, from.1);
            ctx.line_to(to.0, to.1);
            ctx.stroke();
        }
    }

    pub fn clear(canvas: &NodeRef<leptos::html::Canvas>) {
        if let (Some(ctx), Some(c)) = (context(canvas), canvas.get()) {
            ctx.clear_rect(0.0, 0.0, c.width() as f64, c.height() as f64);
        }
    }

    pub fn data_url(canvas: &NodeRef<leptos::html::Canvas>) -> Option<String> {
        canvas.get()?.to_data_url_with_type("image/png").ok()
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppError;
    use base64::Engine;

    const MAX_BYTES: usize = 512 * 1024;
    /// Pixels with ink a real signature has at least.
    const MIN_INKED: usize = 200;

    /// The PNG inside a `data:image/png;base64,…` URL, if it is a signature: a decodable PNG of
    /// sensible size with enough ink on it.
    pub fn check(data_url: &str) -> Result<Vec<u8>, AppError> {
        let missing = || AppError::field("signature", "请在签名框内手写签名");
        let b64 = data_url
            .strip_prefix("data:image/png;base64,")
            .ok_or_else(missing)?;
        if b64.len() > MAX_BYTES * 4 / 3 + 4 {
            return Err(AppError::field("signature", "签名图片过大，请重新签名"));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| missing())?;
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().map_err(|_| missing())?;
        let info = reader.info();
        if info.width > 2000 || info.height > 1000 {
            return Err(AppError::field("signature", "签名图片过大，请重新签名"));
        }
        // Row by row: the whole image is decoded (a broken one is refused), but never held, and
        // ink is counted only until there is enough.
        let (color, depth) = reader.output_color_type();
        let ink_in = |row: &[u8]| -> usize {
            match (color, depth) {
                (png::ColorType::Rgba, png::BitDepth::Eight) => {
                    row.chunks_exact(4).filter(|p| p[3] > 64).count()
                }
                (png::ColorType::GrayscaleAlpha, png::BitDepth::Eight) => {
                    row.chunks_exact(2).filter(|p| p[1] > 64).count()
                }
                (png::ColorType::Rgb, png::BitDepth::Eight) => row
                    .chunks_exact(3)
                    .filter(|p| (p[0] as u32 + p[1] as u32 + p[2] as u32) < 384)
                    .count(),
                _ => 0,
            }
        };
        let mut inked = 0;
        while let Some(row) = reader.next_row().map_err(|_| missing())? {
            if inked < MIN_INKED {
                inked += ink_in(row.data());
            }
        }
        if inked < MIN_INKED {
            return Err(missing());
        }
        Ok(bytes)
    }
}
