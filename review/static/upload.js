// Upload page: every dropped file is sent on its own request, so each has
// its own progress bar and its own error, then its status URL is polled
// until the application is done or failed.
"use strict";
(() => {
  const { el, statusNames } = SB;
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  const table = document.getElementById("upload-list");
  const tbody = table.querySelector("tbody");

  function send(file) {
    const bar = el("progress", { max: "100", value: "0", "aria-label": "上传进度 " + file.name });
    const status = el("td", { class: "state", text: "上传中" });
    const result = el("td", { class: "result" });
    const row = el("tr", { "data-file": file.name }, el("td", { text: file.name }), el("td", {}, bar), status, result);
    tbody.append(row);
    table.hidden = false;
    const fd = new FormData();
    fd.append("batch", document.getElementById("batch").value);
    fd.append("region", document.getElementById("region").value);
    fd.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/applications");
    xhr.setRequestHeader("X-CSRF-Token", SB.csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status !== 202 || !data || !data.applications) {
        status.textContent = "失败";
        status.className = "state st-failed";
        result.textContent = data && data.error ? data.error.message : "上传失败（HTTP " + xhr.status + "）";
        return;
      }
      bar.value = 100;
      const a = data.applications[0];
      row.dataset.id = a.id;
      poll(a, status, result);
    });
    xhr.addEventListener("error", () => { status.textContent = "失败"; result.textContent = "网络错误，请重试。"; });
    xhr.send(fd);
  }

  async function poll(a, status, result) {
    for (;;) {
      let d;
      try {
        d = await SB.api("GET", a.status_url.replace(/^\/api\/v1/, ""));
      } catch (e) {
        result.textContent = e.message;
        return;
      }
      const app = d.application;
      status.textContent = statusNames[app.status] || app.status;
      status.className = "state st-" + app.status;
      if (app.status === "done") {
        result.replaceChildren(el("a", { href: "/applications/" + app.id, text: `查看（错误 ${app.errors}，警告 ${app.warnings}）` }));
        return;
      }
      if (app.status === "failed") {
        result.textContent = app.error_message || "处理失败";
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  function take(files) { for (const f of files) send(f); }
  input.addEventListener("change", () => { take(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => take(e.dataTransfer.files));
})();
