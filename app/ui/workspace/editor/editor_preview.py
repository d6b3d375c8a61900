"""EditorPreview: the editor's large image; a click shows it full size, an unreadable original its thumbnail."""

from __future__ import annotations

from nicegui import ui

# An original that cannot be read (drive unplugged, file moved) falls back to its thumbnail.
_FALLBACK_JS = (
    "(e) => { const t = e.target.dataset.fallback; if (t && !e.target.src.endsWith(t)) e.target.src = t; }"
)


class EditorPreview(ui.element):
    """A plain <img> of the original; `show(image_url, thumbnail_url)` changes the picture."""

    def __init__(self) -> None:
        super().__init__("img")
        self.classes(
            "w-full max-h-[30vh] 2xl:max-h-[42vh] object-contain rounded bg-slate-100 cursor-zoom-in"
        )
        self.image_url: str | None = None
        self.on("click", self._zoom)
        self.on("error", js_handler=_FALLBACK_JS)
        with ui.dialog().props("maximized") as self.zoom_dialog:
            self.zoom_image = ui.element("img").classes(
                "w-full h-full object-contain bg-black cursor-zoom-out"
            )
            self.zoom_image.on("click", self.zoom_dialog.close)

    def show(self, image_url: str, thumbnail_url: str | None) -> None:
        self.image_url = image_url
        self.props(f'src="{image_url}" data-fallback="{thumbnail_url or ""}" alt="preview"')

    def _zoom(self) -> None:
        if self.image_url:
            self.zoom_image.props(f'src="{self.image_url}"')
            self.zoom_dialog.open()
