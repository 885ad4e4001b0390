// The console's only script: follow a plan job's progress live (Server-Sent Events), and
// move through the availability grid with the arrow keys.
"use strict";

function followJob(section) {
  const fields = {};
  section.querySelectorAll("[data-field]").forEach((el) => { fields[el.dataset.field] = el; });
  const show = (name, value) => { if (fields[name]) fields[name].textContent = value; };
  // The page's own words for each job status, in the language it was rendered in.
  const statusLabels = JSON.parse(section.dataset.statusLabels || "{}");
  const stream = new EventSource(section.dataset.events);
  stream.addEventListener("job", (event) => {
    const job = JSON.parse(event.data);
    show("status", statusLabels[job.status] || job.status);
    const p = job.progress;
    if (p) {
      show("served", p.served === null ? "—" : String(p.served));
      show("bound", String(p.bound));
      const gap = Math.abs(p.bound - p.objective) / Math.max(1, Math.abs(p.bound));
      show("gap", (gap * 100).toFixed(1) + "%");
      show("elapsed", p.elapsed.toFixed(1));
    }
  });
  stream.addEventListener("end", () => {
    stream.close();
    window.location.assign(section.dataset.done);  // the finished job, with its plan
  });
}

function arrowKeysIn(grid) {
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  grid.addEventListener("keydown", (event) => {
    const move = moves[event.key];
    const cell = event.target.closest("td");
    if (!move || !cell || event.target.type !== "checkbox") return;
    const row = cell.parentElement;
    const rows = Array.from(row.parentElement.children);
    const target = rows[rows.indexOf(row) + move[0]]?.children[cell.cellIndex + move[1]];
    const box = target?.querySelector("input[type=checkbox]");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  // Print views: a button for the browser's own print dialog (no inline script: the CSP).
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  document.querySelectorAll("table.slots").forEach(arrowKeysIn);
  const section = document.getElementById("progress");
  if (section && ["queued", "running"].includes(section.dataset.status)) followJob(section);
});
