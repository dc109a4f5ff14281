// Basic accessibility checks run by the browser tests in the page under
// test: labels, contrast (WCAG 2 formula), names of controls, alt text,
// language, tabindex. focusStop describes the element that has the focus.
function a11yParse(c) {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
}
function a11yLum(c) {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
// a11yBackground composites the backgrounds from the element up to the page.
function a11yBackground(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = a11yParse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let bg = { r: 255, g: 255, b: 255 };
  for (const c of layers.reverse()) bg = { r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a), b: c.b * c.a + bg.b * (1 - c.a) };
  return bg;
}
function a11yVisible(e) {
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
}
function a11yName(e) {
  if (e.getAttribute("aria-label")) return e.getAttribute("aria-label");
  if (e.getAttribute("aria-labelledby")) return (document.getElementById(e.getAttribute("aria-labelledby")) || {}).textContent || "";
  if (e.labels && e.labels.length) return e.labels[0].textContent.trim();
  if (e.tagName === "IMG") return e.alt || "";
  return (e.textContent || e.value || e.title || "").trim();
}
function a11yCheck() {
  const problems = [], checked = { Inputs: 0, Texts: 0, Focusable: 0 };
  if (!document.documentElement.lang) problems.push("html has no lang");
  if (!document.title) problems.push("page has no title");
  for (const e of document.querySelectorAll("input, select, textarea")) {
    if (e.type === "hidden") continue;
    checked.Inputs++;
    if (!(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")) problems.push(`${e.tagName.toLowerCase()}#${e.id || e.name} has no label`);
  }
  for (const e of document.querySelectorAll("button, a[href], [role=tab]")) {
    if (!a11yVisible(e)) continue;
    checked.Focusable++;
    if (!a11yName(e)) problems.push(`${e.tagName.toLowerCase()} ${e.outerHTML.slice(0, 80)} has no name`);
  }
  for (const e of document.querySelectorAll("img")) if (!e.hasAttribute("alt")) problems.push(`img ${e.src} has no alt`);
  for (const e of document.querySelectorAll("[tabindex]")) if (e.tabIndex > 0) problems.push(`${e.tagName.toLowerCase()}#${e.id} has a positive tabindex`);
  const seen = new Set();
  for (const e of document.querySelectorAll("body *")) {
    if (!a11yVisible(e) || e.closest("[aria-hidden=true]")) continue;
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    checked.Texts++;
    const s = getComputedStyle(e);
    const fg = a11yParse(s.color), bg = a11yBackground(e);
    if (!fg) continue;
    const blended = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
    const l1 = a11yLum(blended), l2 = a11yLum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const key = s.color + "|" + JSON.stringify(bg);
    if (ratio < need && !seen.has(key)) {
      seen.add(key);
      problems.push(`contrast ${ratio.toFixed(2)} < ${need} for "${e.textContent.trim().slice(0, 30)}" (${s.color} on rgb(${bg.r|0},${bg.g|0},${bg.b|0}))`);
    }
  }
  return { problems, checked };
}
function focusStop() {
  const e = document.activeElement;
  if (!e || e === document.body) return { Tag: "BODY" };
  const all = [...document.querySelectorAll("*")];
  const s = getComputedStyle(e);
  const outlined = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
  return { Tag: e.tagName, Name: a11yName(e), Index: all.indexOf(e), Visible: a11yVisible(e), Outlined: outlined };
}
