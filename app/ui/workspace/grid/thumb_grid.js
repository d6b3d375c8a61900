// The virtualized thumbnail grid: Quasar q-virtual-scroll over rows of N tiles, N from the width.
// Python sends the items once (setItems) and afterwards only small changes (order, selection, one tile).
// File names and captions are rendered as text ({{ }}), never as HTML.
const DRAG_TYPE = "application/x-captionforge-files";
// A row from Python: [id, name, thumbnail (full URL, or only "?v=key" of the usual route), quality, state,
// flags text, excluded, duration in seconds (videos only, else null)].
function toItem([id, n, t, q, s, f, x, d]) {
  return { id, n, t: t && t.startsWith("?") ? `/api/files/${id}/thumbnail${t}` : t, q, s, f, x, d };
}
function durationText(d) {
  const m = Math.floor(d / 60);
  const s = d - m * 60;
  return `${m}:${s < 10 ? "0" : ""}${s.toFixed(1)}`;
}
const MIN_TILE = 96; // px, the smallest tile the size slider offers
const NARROW_GRID = 560; // px; below this the grid keeps two columns even with large tiles
const LONG_PRESS_MS = 500; // a finger held this long on a tile selects it instead of opening it
const STATE_LABELS = { none: "no caption", imported: "imported", generated: "generated", edited: "edited" };

export default {
  template: `
    <div class="cf-thumb-grid" tabindex="0" ref="root" @keydown="onKey">
      <q-virtual-scroll
        ref="scroller"
        class="cf-thumb-scroll"
        :items="rows"
        :virtual-scroll-item-size="rowHeight"
        :virtual-scroll-slice-size="6"
        v-slot="{ item: row, index: r }"
      >
        <div class="cf-thumb-row" :key="r" :data-v="version" :style="{ height: rowHeight + 'px' }">
          <div
            v-for="i in row"
            :key="items[i].id"
            class="cf-tile"
            :class="{ 'cf-selected': selected.has(items[i].id), 'cf-focus': i === focus, 'cf-open': i === open, 'cf-excluded': items[i].x }"
            :style="{ width: tileWidth + 'px', height: (rowHeight - gap) + 'px' }"
            :data-file-id="items[i].id"
            :title="items[i].n"
            :draggable="!touch"
            @click="onTileClick($event, i)"
            @touchstart.passive="onTouchStart(i)"
            @touchmove.passive="cancelPress"
            @touchend="onTouchEnd"
            @contextmenu="touch && $event.preventDefault()"
            @dblclick="$emit('open', { id: items[i].id })"
            @dragstart="onDragStart($event, i)"
            @mouseenter="hover = i"
            @mouseleave="hover = hover === i ? -1 : hover"
          >
            <div class="cf-tile-image" :style="{ height: tileWidth * 0.8 + 'px' }">
              <video
                v-if="items[i].d != null && (i === hover || i === focus)"
                class="cf-tile-video" :src="'/api/files/' + items[i].id + '/video'" :poster="items[i].t"
                muted autoplay loop playsinline preload="metadata" draggable="false"
              ></video>
              <img v-else-if="items[i].t" :src="items[i].t" loading="lazy" decoding="async" draggable="false" :alt="items[i].n" />
              <span v-else class="cf-tile-missing">no thumbnail</span>
            </div>
            <span v-if="items[i].d != null" class="cf-duration" title="video length">{{ durationText(items[i].d) }}</span>
            <span class="cf-check" @click.stop="onCheck(i)" role="checkbox" :aria-checked="selected.has(items[i].id)">
              {{ selected.has(items[i].id) ? "\u2611" : "\u2610" }}
            </span>
            <span v-if="i === open" class="cf-open-tag">open</span>
            <span class="cf-badge" :class="'cf-badge-' + items[i].s">{{ stateLabel(items[i].s) }}</span>
            <span v-if="items[i].f" class="cf-flag material-icons" :title="items[i].f">flag</span>
            <div class="cf-tile-meta">
              <span class="cf-stars" :title="qualityTitle(items[i].q)">{{ stars(items[i].q) }}</span>
              <span class="cf-name">{{ items[i].n }}</span>
            </div>
          </div>
        </div>
      </q-virtual-scroll>
    </div>
  `,
  props: {
    tileSize: { type: Number, default: 160 },
  },
  data() {
    // items and order are raw (not reactive) arrays: 10,000 proxies would cost more than they give;
    // `version` tells the template that a tile changed.
    return {
      items: Vue.markRaw([]), order: Vue.markRaw([]), version: 0,
      selected: new Set(), focus: -1, open: -1, hover: -1, size: this.tileSize, width: 0, gap: 8,
      touch: window.matchMedia("(pointer: coarse)").matches, pressTimer: null, longPressed: false,
    };
  },
  computed: {
    cols() {
      const fit = (size) => Math.floor((this.width + this.gap) / (size + this.gap));
      // A narrow grid (tablet, phone) still shows two columns while tiles stay at least MIN_TILE wide.
      const least = this.width < NARROW_GRID ? Math.min(2, fit(MIN_TILE)) : 1;
      return Math.max(1, fit(this.size), least);
    },
    tileWidth() {
      // Tiles stretch so a row fills the width instead of leaving a gap on the right (never wider than it).
      return Math.max(1, Math.floor((this.width - (this.cols - 1) * this.gap) / this.cols));
    },
    rowHeight() {
      return Math.round(this.tileWidth * 0.8) + 34 + this.gap;
    },
    rows() {
      const rows = [];
      for (let start = 0; start < this.order.length; start += this.cols) {
        rows.push(this.order.slice(start, start + this.cols));
      }
      return rows;
    },
    positions() {
      const positions = new Map();
      this.order.forEach((i, pos) => positions.set(i, pos));
      return positions;
    },
    indexById() {
      const index = new Map();
      this.items.forEach((item, i) => index.set(item.id, i));
      return index;
    },
  },
  mounted() {
    this.resizeObserver = new ResizeObserver(() => this.measure());
    this.resizeObserver.observe(this.$refs.root);
    this.measure();
  },
  unmounted() {
    this.resizeObserver?.disconnect();
  },
  methods: {
    // ---- called from Python with run_method ----
    setItems(rows, order) {
      this.items = Vue.markRaw(rows.map(toItem));
      this.order = Vue.markRaw(order);
      this.selected = new Set();
      this.focus = -1;
      this.open = -1;
      this.$refs.scroller?.scrollTo(0);
    },
    setOrder(order) {
      this.order = Vue.markRaw(order);
    },
    appendItems(rows, order) {
      // The rest of the dataset after its first screen: selection, focus and scroll position stay.
      this.items = Vue.markRaw(this.items.concat(rows.map(toItem)));
      this.order = Vue.markRaw(order);
    },
    patchItems(rows) {
      for (const row of rows) {
        const item = toItem(row);
        const i = this.indexById.get(item.id);
        if (i !== undefined) this.items[i] = item;
      }
      this.version++;
    },
    patchSelection(added, removed) {
      for (const id of removed) this.selected.delete(id);
      for (const id of added) this.selected.add(id);
    },
    setFocus(id, scroll = true) {
      // The tile the editor shows: "open" (one style), and the keyboard cursor starts there.
      const i = id === null ? undefined : this.indexById.get(id);
      if (i === undefined) {
        this.open = -1;
        return;
      }
      this.focus = i;
      this.open = i;
      if (scroll) this.scrollToIndex(i);
    },
    focusGrid() {
      this.$refs.root.focus({ preventScroll: true });
    },
    setTileSize(size) {
      this.size = size;
      this.$nextTick(() => this.measure());
    },
    renderedImageCount() {
      return this.$refs.root.querySelectorAll("img").length;
    },
    // ---- browser side ----
    measure() {
      this.width = Math.max(0, this.$refs.root.clientWidth - 24); // scrollbar and row padding
    },
    scrollToIndex(i) {
      if (this.isVisible(i)) return; // a tile the user can see stays where it is
      const pos = this.positions.get(i);
      if (pos !== undefined) this.$refs.scroller?.scrollTo(Math.floor(pos / this.cols), "center");
    },
    isVisible(i) {
      const id = this.items[i]?.id;
      const tile = id && this.$refs.root.querySelector(`.cf-tile[data-file-id="${CSS.escape(id)}"]`);
      if (!tile) return false;
      const view = this.$refs.root.getBoundingClientRect();
      const box = tile.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    },
    durationText,
    stateLabel(state) {
      return STATE_LABELS[state] || state;
    },
    stars(q) {
      if (q === null || q === undefined) return "\u2014";
      const n = Math.max(0, Math.min(5, Math.round(q * 5)));
      return "\u2605".repeat(n) + "\u2606".repeat(5 - n);
    },
    qualityTitle(q) {
      return q === null || q === undefined ? "quality not measured" : `quality ${Math.round(q * 100)}%`;
    },
    onTileClick(event, i) {
      if (this.longPressed) {
        this.longPressed = false; // the click that ends a long press: it selected already
        return;
      }
      this.focus = i;
      this.$refs.root.focus({ preventScroll: true });
      this.$emit("tile_click", {
        id: this.items[i].id,
        toggle: event.ctrlKey || event.metaKey,
        extend: event.shiftKey,
      });
    },
    onCheck(i) {
      this.focus = i;
      this.$emit("tile_click", { id: this.items[i].id, toggle: true, extend: false });
    },
    onTouchStart(i) {
      this.cancelPress();
      this.longPressed = false;
      this.pressTimer = setTimeout(() => {
        this.pressTimer = null;
        this.longPressed = true;
        navigator.vibrate?.(15);
        this.onCheck(i);
      }, LONG_PRESS_MS);
    },
    cancelPress() {
      clearTimeout(this.pressTimer);
      this.pressTimer = null;
    },
    onTouchEnd(event) {
      this.cancelPress();
      if (this.longPressed) event.preventDefault(); // no click (and no opening) after a long press
    },
    onDragStart(event, i) {
      const id = this.items[i].id;
      const ids = this.selected.has(id) ? this.order.map((j) => this.items[j].id).filter((x) => this.selected.has(x)) : [id];
      event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(ids));
      event.dataTransfer.setData("text/plain", `${ids.length} image(s)`);
      event.dataTransfer.effectAllowed = "copy";
    },
    onKey(event) {
      if (event.target !== this.$refs.root) return;
      const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -this.cols, ArrowDown: this.cols };
      if (event.key in moves && !event.altKey) {
        event.preventDefault();
        const pos = this.focus >= 0 ? this.positions.get(this.focus) ?? -1 : -1;
        const next = Math.max(0, Math.min(this.order.length - 1, pos < 0 ? 0 : pos + moves[event.key]));
        if (this.order.length) {
          this.focus = this.order[next];
          this.scrollToIndex(this.focus);
        }
      } else if ((event.key === "Enter" || event.key === " ") && this.focus >= 0) {
        event.preventDefault();
        const id = this.items[this.focus].id;
        if (event.key === "Enter") this.$emit("open", { id });
        else this.$emit("tile_click", { id, toggle: true, extend: event.shiftKey });
      } else if (event.key === "a" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.$emit("select_all", {});
      }
    },
  },
};
