// Application view: page images with a box for every value and finding
// (or, for documents without page geometry, the form as a table), the
// findings and fields on the right, and the reviewer's decisions. All data
// comes from the JSON API; a correction re-fetches the report, so the
// findings update without reloading the page.
"use strict";
(() => {
  const { api, el, when, severityNames, statusNames } = SB;
  const root = document.getElementById("app");
  const id = root.dataset.id;
  const canReview = root.dataset.canReview === "true";
  const LOW = 0.8; // confidence below this is marked for checking
  const pagesEl = document.getElementById("pages");
  // Pixels per inch of the page images (72 points per inch): enough for
  // the fit width on this screen, in a few steps so that browsers can cache
  // them. An A4 page is 8.27 inches wide.
  const DPI = [110, 150, 200].find((d) => d * 8.27 >= (pagesEl.clientWidth - 24) * (window.devicePixelRatio || 1)) || 200;
  const formEl = document.getElementById("form");
  const notice = document.getElementById("notice");
  const signOffEl = document.getElementById("sign-off");
  const panels = { findings: document.getElementById("panel-findings"), fields: document.getElementById("panel-fields"), audit: document.getElementById("panel-audit") };

  let detail = null, report = null, reviews = new Map(), fieldsById = new Map();
  let zoom = 1, selected = null, geometry = false, built = false;

  function say(msg, bad) {
    notice.textContent = msg;
    notice.classList.toggle("bad", !!bad);
  }

  const ruleTitles = JSON.parse(root.dataset.ruleTitles || "{}");
  function repairNote(f) {
    if (!f.repair) return null;
    return el("div", { class: "repaired", text: `识别为「${f.repair.read}」，已按「${f.repair.rules.join("、")}」更正` });
  }

  // ---- data ----
  async function load() {
    detail = await api("GET", "/applications/" + id);
    const app = detail.application;
    const st = document.getElementById("app-status");
    st.textContent = statusNames[app.status] || app.status;
    st.className = "status st-" + app.status;
    document.getElementById("app-meta").textContent = [app.edition, app.year || "", app.region, app.batch, app.filename].filter(Boolean).join(" · ");
    renderSignOff();
    if (!detail.current) {
      say(app.status === "failed" ? ("处理失败：" + (app.error_message || "")) : "正在处理，完成后自动显示……", app.status === "failed");
      if (app.status !== "failed") setTimeout(refresh, 2000);
      return;
    }
    report = detail.current.report;
    reviews = new Map(detail.reviews.map((r) => [r.n, r]));
    fieldsById = new Map();
    for (const f of report.fields || []) fieldsById.set(f.id, { kind: "field", label: f.label + (f.column ? " / " + f.column : ""), value: f.value, conf: f.confidence, page: f.page, bbox: f.bbox, section: f.section, raw: f });
    for (const c of report.checkboxes || []) fieldsById.set(c.id, { kind: "checkbox", label: c.group + "：" + c.option, value: c.checked ? "true" : "false", conf: c.confidence, page: c.page, bbox: c.bbox, section: c.section, raw: c });
    for (const t of report.texts || []) fieldsById.set(t.id, { kind: "text", label: t.label, value: t.text, conf: t.confidence, page: t.page, bbox: t.bbox, section: t.section, raw: t, chars: t.chars, limit: t.limit });
    // What the corrections stage changed after reading a scan: a note on
    // each such value, with what was read and by which rules.
    for (const r of report.repairs || []) {
      const f = fieldsById.get(r.field_id);
      if (!f) continue;
      if (!f.repair) f.repair = { read: r.read, rules: [] };
      f.repair.rules.push(ruleTitles[r.rule] || r.rule);
    }
    geometry = report.pages > 0 && [...fieldsById.values()].some((f) => f.page && f.bbox);
    document.getElementById("n-findings").textContent = "(" + report.findings.length + ")";
  }

  async function refresh() {
    try {
      await load();
    } catch (e) {
      say(e.message, true);
      return;
    }
    if (!report) return;
    if (!built) {
      if (geometry) buildPages(); else buildForm();
      built = true;
    } else if (geometry) {
      drawAllBoxes();
    } else {
      buildForm();
    }
    renderFindings();
    renderFields();
    loadAudit();
    if (selected) select(selected, false);
  }

  // ---- geometry ----
  // findingBox is where finding n is drawn: its own box, or the union of
  // its fields' boxes on its page.
  function findingBox(f) {
    if (f.page && f.bbox) return { page: f.page, bbox: f.bbox };
    let page = f.page, box = null;
    for (const fid of f.field_ids || []) {
      const x = fieldsById.get(fid);
      if (!x || !x.page || !x.bbox) continue;
      if (!page) page = x.page;
      if (x.page !== page) continue;
      box = box ? [Math.min(box[0], x.bbox[0]), Math.min(box[1], x.bbox[1]), Math.max(box[2], x.bbox[2]), Math.max(box[3], x.bbox[3])] : x.bbox.slice();
    }
    return box ? { page, bbox: box } : null;
  }

  function fitWidth() { return Math.max(200, pagesEl.clientWidth - 24); }

  function buildPages() {
    document.getElementById("page-tools").hidden = false;
    pagesEl.replaceChildren();
    for (let n = 1; n <= report.pages; n++) {
      const img = el("img", { alt: "第 " + n + " 页", loading: n <= 2 ? "eager" : "lazy", decoding: "async", src: `/api/v1/applications/${id}/pages/${n}.png?dpi=${DPI}` });
      const div = el("div", { class: "page", id: "page-" + n, "data-page": n }, img, el("span", { class: "pno", "aria-hidden": "true", text: n }));
      div.style.aspectRatio = "595 / 842";
      img.addEventListener("load", () => {
        div.style.aspectRatio = img.naturalWidth + " / " + img.naturalHeight;
        drawBoxes(div);
      });
      img.addEventListener("error", () => {
        // Without page images (no renderer on this server) the form as a
        // table still shows every value and finding.
        if (n === 1 && !formEl.hidden) return;
        if (n === 1) {
          document.getElementById("page-tools").hidden = true;
          say("页面图像无法显示，以下按表格显示填写内容。");
          geometry = false;
          buildForm();
          if (selected) select(selected, false);
          return;
        }
        div.append(el("p", { class: "alert", text: "第 " + n + " 页图像无法显示" }));
      });
      pagesEl.append(div);
    }
    applyZoom();
    pagesEl.addEventListener("scroll", updatePageNo, { passive: true });
    updatePageNo();
  }

  function drawAllBoxes() {
    for (const div of pagesEl.querySelectorAll(".page")) drawBoxes(div);
  }

  // drawBoxes places the boxes of one page in percent of the page, so that
  // zooming needs no redraw. The page's size in points is the image's size
  // at DPI: points = pixels × 72 / DPI.
  function drawBoxes(div) {
    const img = div.querySelector("img");
    if (!img.complete || !img.naturalWidth) return;
    div.querySelectorAll(".box").forEach((b) => b.remove());
    const n = Number(div.dataset.page);
    const wPt = img.naturalWidth * 72 / DPI, hPt = img.naturalHeight * 72 / DPI;
    div.dataset.widthPt = wPt.toFixed(2);
    const place = (b, box) => {
      b.style.left = (100 * box[0] / wPt) + "%";
      b.style.top = (100 * box[1] / hPt) + "%";
      b.style.width = (100 * (box[2] - box[0]) / wPt) + "%";
      b.style.height = (100 * (box[3] - box[1]) / hPt) + "%";
      b.dataset.bbox = box.join(",");
    };
    for (const [fid, f] of fieldsById) {
      if (f.page !== n || !f.bbox) continue;
      const low = f.conf < LOW;
      const b = el("div", { class: "box field" + (low ? " low" : ""), "data-field": fid, title: f.label + "：" + short(f.value) + (low ? "（低置信度）" : ""), "aria-hidden": "true" });
      b.addEventListener("click", (e) => { e.stopPropagation(); select({ field: fid }, true); });
      place(b, f.bbox);
      div.append(b);
    }
    report.findings.forEach((f, i) => {
      const at = findingBox(f);
      if (!at || at.page !== n) return;
      const r = reviews.get(i);
      const b = el("div", { class: `box fbox sev-${f.severity}` + (r && r.decision === "dismissed" ? " dismissed" : ""), "data-finding": i, title: (severityNames[f.severity] || "") + "：" + f.message, "aria-hidden": "true" });
      b.addEventListener("click", (e) => { e.stopPropagation(); select({ finding: i }, true); });
      place(b, at.bbox);
      div.append(b);
    });
  }

  function applyZoom() {
    const w = Math.round(fitWidth() * zoom);
    for (const div of pagesEl.querySelectorAll(".page")) div.style.width = w + "px";
    document.getElementById("zoom-level").textContent = Math.round(zoom * 100) + "%";
  }

  function setZoom(z) {
    // Keep the point at the top of the view in place while zooming.
    const ratio = pagesEl.scrollHeight ? pagesEl.scrollTop / pagesEl.scrollHeight : 0;
    zoom = Math.min(4, Math.max(0.4, z));
    applyZoom();
    pagesEl.scrollTop = ratio * pagesEl.scrollHeight;
  }

  function currentPage() {
    const top = pagesEl.getBoundingClientRect().top;
    for (const div of pagesEl.querySelectorAll(".page")) {
      if (div.getBoundingClientRect().bottom > top + 20) return Number(div.dataset.page);
    }
    return report.pages;
  }

  function updatePageNo() {
    document.getElementById("page-no").textContent = `第 ${currentPage()} / ${report.pages} 页`;
  }

  function goPage(n) {
    const div = document.getElementById("page-" + Math.min(report.pages, Math.max(1, n)));
    if (div) div.scrollIntoView({ block: "start" });
    updatePageNo();
  }

  document.getElementById("prev").addEventListener("click", () => goPage(currentPage() - 1));
  document.getElementById("next").addEventListener("click", () => goPage(currentPage() + 1));
  document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  document.getElementById("fit").addEventListener("click", () => setZoom(1));
  window.addEventListener("resize", () => { if (geometry && built) applyZoom(); });

  // ---- the form as a table (documents without geometry) ----
  function sections() {
    const order = [], by = new Map();
    for (const [fid, f] of fieldsById) {
      const s = f.section || "其他";
      if (!by.has(s)) { by.set(s, []); order.push(s); }
      by.get(s).push(fid);
    }
    return order.map((s) => [s, by.get(s)]);
  }

  // worst severity of the open findings on each field
  function fieldSeverity() {
    const rank = { error: 3, warning: 2, info: 1 }, out = new Map();
    report.findings.forEach((f, i) => {
      const r = reviews.get(i);
      if (r && r.decision === "dismissed") return;
      for (const fid of f.field_ids || []) {
        if ((rank[f.severity] || 0) > (rank[out.get(fid)] || 0)) out.set(fid, f.severity);
      }
    });
    return out;
  }

  function buildForm() {
    formEl.hidden = false;
    pagesEl.hidden = true;
    const sev = fieldSeverity();
    const parts = [el("p", { class: "muted", text: "此文件没有页面版式信息（如 docx），以下按表格显示填写内容。" })];
    for (const [s, ids] of sections()) {
      const tbody = el("tbody");
      for (const fid of ids) {
        const f = fieldsById.get(fid);
        const cls = [sev.get(fid) ? "hl-" + sev.get(fid) : "", f.conf < LOW ? "low" : ""].filter(Boolean).join(" ");
        const tr = el("tr", { "data-field": fid, class: cls || null }, el("th", { scope: "row", text: f.label }), el("td", { class: "val" }, display(f), repairNote(f)));
        tr.addEventListener("click", () => {
          const n = report.findings.findIndex((x, i) => (x.field_ids || []).includes(fid) && !(reviews.get(i) && reviews.get(i).decision === "dismissed"));
          select(n >= 0 ? { finding: n } : { field: fid }, true);
        });
        tbody.append(tr);
      }
      parts.push(el("h2", { text: s }), el("table", { class: "grid" }, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "项目" }), el("th", { scope: "col", text: "填写内容" }))), tbody));
    }
    formEl.replaceChildren(...parts);
  }

  function display(f) {
    if (f.kind === "checkbox") return f.value === "true" ? "☑ 已勾选" : "☐ 未勾选";
    if (f.kind === "text") return f.value + (f.limit ? `（${f.chars} / ${f.limit} 字）` : "");
    return f.value === "" ? "（空）" : f.value;
  }
  function short(v) { return v && v.length > 40 ? v.slice(0, 40) + "…" : (v || "（空）"); }

  // ---- selection ----
  function select(what, scroll) {
    selected = what;
    document.querySelectorAll(".selected").forEach((e) => e.classList.remove("selected"));
    if (what.finding !== undefined) {
      const n = what.finding;
      const item = panels.findings.querySelector(`[data-n="${n}"]`);
      if (item) {
        item.classList.add("selected");
        if (scroll) { showTab("findings"); item.scrollIntoView({ block: "nearest" }); }
      }
      const f = report.findings[n];
      if (!f) return;
      if (geometry) {
        const box = pagesEl.querySelector(`.box[data-finding="${n}"]`);
        if (box) { box.classList.add("selected"); if (scroll) reveal(box); }
        else if (scroll) { const at = findingBox(f); if (at) revealLater(at.page, `.box[data-finding="${n}"]`); }
      } else {
        const fid = (f.field_ids || []).find((x) => formEl.querySelector(`tr[data-field="${CSS.escape(x)}"]`));
        const row = fid && formEl.querySelector(`tr[data-field="${CSS.escape(fid)}"]`);
        if (row) { row.classList.add("selected"); if (scroll) reveal(row); }
      }
    } else if (what.field !== undefined) {
      const q = `[data-field="${CSS.escape(what.field)}"]`;
      const row = panels.fields.querySelector("tr" + q);
      if (row) { row.classList.add("selected"); if (scroll) { showTab("fields"); row.scrollIntoView({ block: "nearest" }); } }
      const target = geometry ? pagesEl.querySelector(".box" + q) : formEl.querySelector("tr" + q);
      if (target) { target.classList.add("selected"); if (scroll) reveal(target); }
    }
  }

  // reveal zooms so that a small box is readable, scrolls it to the middle
  // of the view and flashes it.
  function reveal(target) {
    if (geometry && zoom < 1) setZoom(1);
    target.scrollIntoView({ block: "center", inline: "center" });
    target.classList.remove("flash");
    void target.offsetWidth; // restart the animation
    target.classList.add("flash");
  }

  function revealLater(page, sel) {
    const div = document.getElementById("page-" + page);
    if (!div) return;
    const img = div.querySelector("img");
    img.loading = "eager";
    div.scrollIntoView({ block: "start" });
    img.addEventListener("load", () => {
      const b = div.querySelector(sel);
      if (b) { b.classList.add("selected"); reveal(b); }
    }, { once: true });
  }

  // ---- findings ----
  function renderFindings() {
    const groups = new Map();
    report.findings.forEach((f, i) => {
      const s = f.section || "其他";
      if (!groups.has(s)) groups.set(s, []);
      groups.get(s).push(i);
    });
    const out = [];
    if (!report.findings.length) out.push(el("p", { text: "未发现问题。" }));
    for (const [s, list] of groups) {
      out.push(el("h2", { text: s }));
      for (const i of list) out.push(findingItem(i));
    }
    panels.findings.replaceChildren(...out);
  }

  function findingItem(i) {
    const f = report.findings[i];
    const r = reviews.get(i);
    const where = findingBox(f);
    const item = el("div", { class: `finding sev-${f.severity}` + (r ? " " + r.decision : ""), "data-n": i },
      el("button", { type: "button", class: "go", "aria-label": `${severityNames[f.severity] || f.severity}：${f.label} ${f.message}`, onclick: () => select({ finding: i }, true) },
        el("span", { class: "badge sev-" + f.severity, text: severityNames[f.severity] || f.severity }), " ",
        el("strong", { text: f.label + (f.column ? " / " + f.column : "") }), " ",
        el("span", { class: "msg", text: f.message })),
      f.basis ? el("div", { class: "basis", text: "依据：" + f.basis }) : null,
      el("div", { class: "where", text: where ? `第 ${where.page} 页` : (geometry ? "无页面位置" : "") }));
    if (r) {
      const verb = r.decision === "dismissed" ? "已驳回" : "已确认";
      item.append(el("div", { class: "decision " + r.decision, text: `${verb} · ${r.by} · ${when(r.at)} · 理由：${r.reason}` }));
    }
    if (canReview) {
      const acts = el("div", { class: "acts" });
      acts.append(el("button", { type: "button", class: "accept", onclick: () => decide(item, i, "accept") }, "确认问题"),
        el("button", { type: "button", class: "dismiss", onclick: () => decide(item, i, "dismiss") }, "驳回"));
      const editable = (f.field_ids || []).filter((x) => fieldsById.has(x));
      if (editable.length) acts.append(el("button", { type: "button", class: "correct", onclick: () => correctForm(item, editable) }, "更正数值"));
      item.append(acts);
    }
    return item;
  }

  let formSeq = 0;
  function decide(item, i, action) {
    item.querySelectorAll(".inline-form").forEach((e) => e.remove());
    const rid = "reason-" + (++formSeq);
    const ta = el("textarea", { id: rid, rows: "2", required: true });
    const form = el("form", { class: "inline-form" },
      el("label", { for: rid, text: action === "dismiss" ? "驳回理由" : "确认说明" }), ta,
      el("div", { class: "btns" }, el("button", { type: "submit", class: "primary" }, "提交"), el("button", { type: "button", onclick: () => form.remove() }, "取消")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!ta.value.trim()) { say("请填写理由。", true); ta.focus(); return; }
      try {
        await api("POST", `/applications/${id}/findings/${i}:${action}`, { reason: ta.value.trim() });
        say(action === "dismiss" ? "已驳回该问题。" : "已确认该问题。");
        selected = { finding: i };
        await refresh();
      } catch (err) { say(err.message, true); }
    });
    item.append(form);
    ta.focus();
  }

  function correctForm(host, ids) {
    host.querySelectorAll(".inline-form").forEach((e) => e.remove());
    const k = ++formSeq;
    const form = el("form", { class: "inline-form" });
    let pick = null;
    if (ids.length > 1) {
      pick = el("select", { id: "fld-" + k }, ...ids.map((x) => el("option", { value: x, text: fieldsById.get(x).label })));
      form.append(el("label", { for: "fld-" + k, text: "字段" }), pick);
    } else {
      form.append(el("p", { text: fieldsById.get(ids[0]).label }));
    }
    const valueBox = el("div", { class: "stack" });
    form.append(valueBox);
    let input = null;
    const makeInput = () => {
      const f = fieldsById.get(pick ? pick.value : ids[0]);
      const vid = "val-" + k;
      if (f.kind === "checkbox") {
        input = el("select", { id: vid }, el("option", { value: "true", text: "已勾选" }), el("option", { value: "false", text: "未勾选" }));
        input.value = f.value;
      } else if (f.kind === "text") {
        input = el("textarea", { id: vid, rows: "4" });
        input.value = f.value;
      } else {
        input = el("input", { id: vid, value: f.value });
      }
      valueBox.replaceChildren(el("label", { for: vid, text: "正确的值" }), input);
    };
    makeInput();
    if (pick) pick.addEventListener("change", makeInput);
    const rid = "why-" + k;
    const reason = el("input", { id: rid, required: true });
    form.append(el("label", { for: rid, text: "更正理由" }), reason,
      el("div", { class: "btns" }, el("button", { type: "submit", class: "primary" }, "保存并重新检查"), el("button", { type: "button", onclick: () => form.remove() }, "取消")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { say("请填写更正理由。", true); reason.focus(); return; }
      const fid = pick ? pick.value : ids[0];
      const before = report.findings.length;
      try {
        await api("PATCH", `/applications/${id}/fields/${encodeURIComponent(fid)}`, { value: input.value, reason: reason.value.trim(), version: detail.current.version });
        selected = null;
        await refresh();
        say(`已更正“${fieldsById.get(fid).label}”，检查已重新运行：问题 ${before} → ${report.findings.length} 条。`);
      } catch (err) {
        say(err.message, true);
        // Someone else changed the report meanwhile: show theirs.
        if (err.status === 409) { await refresh(); say(err.message + "（已载入最新版本）", true); }
      }
    });
    host.append(form);
    input.focus();
  }

  // ---- sign-off of the whole application ----
  // A sign-off is for one report version: a correction or a re-check
  // after it leaves it recorded but no longer in force, and load() renders
  // this again after each of them.
  function renderSignOff() {
    const app = detail.application;
    if (!detail.current) { signOffEl.replaceChildren(); return; }
    const reviewed = app.reviewed_version > 0 && app.reviewed_version === app.version;
    const state = el("span", { id: "sign-off-state", class: "sign-off-state", tabindex: "-1" });
    if (reviewed) {
      state.classList.add("reviewed");
      state.textContent = `已审核：${app.reviewed_by} ${when(app.reviewed_at)}（第${app.reviewed_version}版）`;
    } else if (app.reviewed_version > 0) {
      state.classList.add("stale");
      state.textContent = `审核后报告已更新，需重新确认（${app.reviewed_by} 曾于 ${when(app.reviewed_at)} 审核第${app.reviewed_version}版）`;
    } else {
      state.textContent = "未审核";
    }
    const parts = [state];
    if (canReview) {
      const btn = reviewed
        ? el("button", { type: "button", class: "unmark-reviewed", onclick: () => signOffForm(btn, false) }, "撤销审核")
        : el("button", { type: "button", class: "mark-reviewed primary", onclick: () => signOffForm(btn, true) }, "标记为已审核");
      parts.push(btn);
    }
    signOffEl.replaceChildren(...parts);
  }

  // signOffForm asks for the optional note, then marks the version on
  // screen reviewed (mark) or withdraws the sign-off.
  function signOffForm(btn, mark) {
    const nid = "sign-off-note-" + (++formSeq);
    const note = el("input", { id: nid, class: "note", maxlength: "500" });
    const cancel = () => { form.remove(); btn.hidden = false; btn.focus(); };
    const form = el("form", { class: "inline-form" },
      el("label", { for: nid, text: mark ? "审核备注（可选）" : "撤销原因（可选）" }), note,
      el("button", { type: "submit", class: "primary" }, mark ? "确认已审核" : "确认撤销"),
      el("button", { type: "button", onclick: cancel }, "取消"));
    form.addEventListener("keydown", (e) => { if (e.key === "Escape") cancel(); });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const body = { note: note.value.trim() };
        if (mark) body.version = detail.current.version;
        const app = await api(mark ? "POST" : "DELETE", `/applications/${id}/reviewed`, body);
        await refresh();
        say(mark ? `已标记为已审核（第 ${app.reviewed_version} 版）。` : "已撤销审核。");
        document.getElementById("sign-off-state").focus();
      } catch (err) {
        say(err.message, true);
        // The report changed since it was opened: show the current one.
        if (err.status === 409) { await refresh(); say(err.message + "（已载入最新版本）", true); }
      }
    });
    btn.hidden = true;
    signOffEl.append(form);
    note.focus();
  }

  // ---- fields ----
  function renderFields() {
    const out = [];
    for (const [s, ids] of sections()) {
      const tbody = el("tbody");
      for (const fid of ids) {
        const f = fieldsById.get(fid);
        const low = f.conf < LOW;
        const tr = el("tr", { "data-field": fid, class: low ? "low" : null },
          el("th", { scope: "row" }, el("button", { type: "button", class: "go link", onclick: () => select({ field: fid }, true) }, f.label)),
          el("td", {}, display(f), repairNote(f)),
          el("td", { class: "conf" }, Math.round(f.conf * 100) + "%", low ? el("span", { class: "badge low", text: " 低" }) : null));
        if (canReview) {
          const cell = el("td");
          cell.append(el("button", { type: "button", class: "correct", "aria-label": "更正 " + f.label, onclick: () => correctForm(cell, [fid]) }, "更正"));
          tr.append(cell);
        }
        tbody.append(tr);
      }
      const head = el("tr", {}, el("th", { scope: "col", text: "字段" }), el("th", { scope: "col", text: "值" }), el("th", { scope: "col", text: "置信度" }));
      if (canReview) head.append(el("th", { scope: "col", text: "操作" }));
      out.push(el("h2", { text: s }), el("table", { class: "grid fields" }, el("thead", {}, head), tbody));
    }
    panels.fields.replaceChildren(...out);
  }

  // ---- audit trail ----
  const actionNames = { "field.correct": "更正字段", "finding.accepted": "确认问题", "finding.dismissed": "驳回问题", "application.upload": "上传", "application.requeue": "重新排队", "application.delete": "删除", "report.extract": "读取并检查", "report.check": "重新检查", "application.reviewed": "标记已审核", "application.unreviewed": "撤销审核" };
  async function loadAudit() {
    if (!canReview) {
      panels.audit.replaceChildren(el("p", { text: "审核记录仅审核员可见。" }));
      return;
    }
    let d;
    try { d = await api("GET", `/applications/${id}/audit`); } catch (e) { panels.audit.replaceChildren(el("p", { class: "alert", text: e.message })); return; }
    const items = (d.audit || []).slice().reverse().map((a) => el("li", {},
      el("span", { class: "at", text: when(a.at) }), " ", el("strong", { text: a.user || "系统" }), " ",
      actionNames[a.action] || a.action, " ", auditDetail(a)));
    panels.audit.replaceChildren(items.length ? el("ul", { class: "audit" }, ...items) : el("p", { text: "暂无记录。" }));
    // Mark corrected values with who changed them and when.
    const last = new Map();
    for (const a of d.audit || []) if (a.action === "field.correct" && a.detail) last.set(a.detail.field, a);
    for (const [fid, a] of last) {
      for (const row of document.querySelectorAll(`tr[data-field="${CSS.escape(fid)}"]`)) {
        const cell = row.querySelector("td");
        if (!cell || cell.querySelector(".corrected")) continue;
        cell.append(el("div", { class: "corrected", text: `已更正 · ${a.user} · ${when(a.at)}（原值：${a.detail.old}）` }));
      }
    }
  }
  function auditDetail(a) {
    const d = a.detail || {};
    if (a.action === "field.correct") {
      const f = fieldsById.get(d.field);
      return `${f ? f.label : d.field}：“${d.old}” → “${d.new}”，理由：${d.reason}`;
    }
    if (a.action === "application.reviewed" || a.action === "application.unreviewed") return `第 ${d.version} 版` + (d.note ? `，备注：${d.note}` : "");
    if (d.reason) return "理由：" + d.reason;
    return "";
  }

  // ---- tabs ----
  const tabs = ["findings", "fields", "audit"];
  function showTab(name) {
    for (const t of tabs) {
      const b = document.getElementById("tab-" + t);
      b.setAttribute("aria-selected", String(t === name));
      b.tabIndex = t === name ? 0 : -1;
      panels[t].hidden = t !== name;
    }
  }
  tabs.forEach((t, k) => {
    const b = document.getElementById("tab-" + t);
    b.addEventListener("click", () => showTab(t));
    b.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const next = tabs[(k + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      showTab(next);
      document.getElementById("tab-" + next).focus();
    });
  });

  refresh();
})();
