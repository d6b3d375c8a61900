// The crop box over an image: drag outside the box to draw a new one, drag inside to move it, drag the
// corner to resize. Arrow keys move it, Shift+arrows resize it (1% a press, 10% with Alt).
// The box is normalised 0..1 to the upright image ({x, y, w, h}); `ratio` (width / height, in pixels) locks
// the aspect when set. Every finished change is sent to Python as a "change" event.
export default {
  template: `
    <div class="cf-crop" ref="root" tabindex="0" @keydown="onKey" role="application"
         aria-label="Crop box: drag to draw or move, arrow keys move, Shift+arrows resize">
      <img ref="img" :src="src" draggable="false" alt="image to crop" @load="onLoad"
           @pointerdown="onDown($event, 'draw')" />
      <div v-if="ready" class="cf-crop-box" data-testid="crop-box" :style="boxStyle"
           @pointerdown.stop="onDown($event, 'move')">
        <div class="cf-crop-handle" @pointerdown.stop="onDown($event, 'resize')"></div>
      </div>
    </div>`,
  props: { src: String, box: Object, ratio: Number },
  data() {
    return { current: { x: 0, y: 0, w: 1, h: 1 }, ready: false, drag: null, natural: [1, 1] };
  },
  computed: {
    boxStyle() {
      const b = this.current;
      const share = (v) => v * 100 + "%";
      return { left: share(b.x), top: share(b.y), width: share(b.w), height: share(b.h) };
    },
  },
  watch: {
    box: { handler(value) { this.current = this.clean(value); }, immediate: true, deep: true },
  },
  methods: {
    clean(value) {
      return value ? { x: value.x, y: value.y, w: value.w, h: value.h } : { x: 0, y: 0, w: 1, h: 1 };
    },
    onLoad() {
      const img = this.$refs.img;
      this.natural = [img.naturalWidth || 1, img.naturalHeight || 1];
      this.ready = true;
    },
    // The aspect in normalised units: h = w * k keeps width/height === ratio in pixels.
    k() {
      return this.ratio ? this.natural[0] / (this.ratio * this.natural[1]) : null;
    },
    point(event) {
      const rect = this.$refs.img.getBoundingClientRect();
      return {
        x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)),
        y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)),
      };
    },
    onDown(event, mode) {
      if (event.button !== 0) return;
      const b = this.current;
      if (mode === "move" && b.w >= 0.999 && b.h >= 0.999) mode = "draw"; // nothing outside to start from
      event.preventDefault();
      this.$refs.root.focus();
      const start = this.point(event);
      this.drag = { mode, start, from: { ...this.current }, moved: false };
      window.addEventListener("pointermove", this.onMove);
      window.addEventListener("pointerup", this.onUp, { once: true });
    },
    onMove(event) {
      const d = this.drag;
      if (!d) return;
      const p = this.point(event);
      d.moved = true;
      if (d.mode === "move") {
        const f = d.from;
        const x = Math.min(1 - f.w, Math.max(0, f.x + p.x - d.start.x));
        const y = Math.min(1 - f.h, Math.max(0, f.y + p.y - d.start.y));
        this.current = { ...f, x, y };
      } else {
        const anchor = d.mode === "resize" ? { x: d.from.x, y: d.from.y } : d.start;
        this.current = this.fromCorners(anchor, p);
      }
    },
    onUp() {
      window.removeEventListener("pointermove", this.onMove);
      const d = this.drag;
      this.drag = null;
      if (d && d.moved && this.current.w > 0.001 && this.current.h > 0.001) this.send();
      else if (d) this.current = { ...d.from };
    },
    // The box between an anchor and the pointer, of the locked aspect when there is one, inside the image.
    fromCorners(a, p) {
      let w = Math.abs(p.x - a.x);
      let h = Math.abs(p.y - a.y);
      const k = this.k();
      const right = p.x >= a.x, down = p.y >= a.y;
      const roomX = right ? 1 - a.x : a.x, roomY = down ? 1 - a.y : a.y;
      if (k) {
        w = Math.max(w, h / k);
        w = Math.min(w, roomX, roomY / k);
        h = w * k;
      }
      w = Math.min(w, roomX);
      h = Math.min(h, roomY);
      return { x: right ? a.x : a.x - w, y: down ? a.y : a.y - h, w, h };
    },
    onKey(event) {
      const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const step = steps[event.key];
      if (!step) return;
      event.preventDefault();
      event.stopPropagation();
      const size = event.altKey ? 0.1 : 0.01;
      const b = { ...this.current };
      if (event.shiftKey) {
        const k = this.k();
        let w = Math.max(0.01, b.w + step[0] * size + (k ? step[1] * size / k : 0));
        let h = k ? w * k : Math.max(0.01, b.h + step[1] * size);
        w = Math.min(w, 1 - b.x);
        h = Math.min(h, 1 - b.y);
        if (k) { w = Math.min(w, h / k); h = w * k; }
        Object.assign(b, { w, h });
      } else {
        b.x = Math.min(1 - b.w, Math.max(0, b.x + step[0] * size));
        b.y = Math.min(1 - b.h, Math.max(0, b.y + step[1] * size));
      }
      this.current = b;
      this.send();
    },
    send() {
      const r = (v) => Math.round(v * 1e6) / 1e6;
      const b = this.current;
      const x = r(b.x), y = r(b.y);
      this.$emit("change", { x, y, w: Math.min(r(b.w), r(1 - x)), h: Math.min(r(b.h), r(1 - y)) });
    },
  },
};
