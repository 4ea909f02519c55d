// The admin view's HTML page: one self-contained file (no external assets, so it works on a
// classroom network without internet). Text from the server is inserted with textContent only,
// never as HTML: user names and languages come from students.
#include "adminapi.h"

namespace coderoom::core {

QByteArray AdminApi::page()
{
    return QByteArrayLiteral(R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coderoom admin</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; min-width: 40em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.8em; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; }
#status { color: #666; } .error { color: #b00; }
button { cursor: pointer; }
</style></head>
<body>
<h1>Coderoom admin</h1>
<form id="login">
<label>Admin token <input id="token" type="password" size="40" autocomplete="off"></label>
<button type="submit">Show</button>
<span id="status"></span>
</form>
<h2>Connected clients</h2>
<table><thead><tr><th>User</th><th>Address</th><th>Connected since</th><th>Sessions</th>
<th>Jobs</th></tr></thead><tbody id="clients"></tbody></table>
<h2>Jobs</h2>
<table><thead><tr><th>Id</th><th>User</th><th>Language</th><th>State</th><th>Waited</th>
<th>Running</th><th></th></tr></thead><tbody id="jobs"></tbody></table>
<h2>Sessions</h2>
<table><thead><tr><th>Id</th><th>User</th><th>Language</th><th>State</th><th>History</th>
<th>Idle</th><th></th></tr></thead><tbody id="sessions"></tbody></table>
<script>
"use strict";
let token = sessionStorage.getItem("coderoomAdminToken") || "";
const status = document.getElementById("status");
function secs(ms) { return (ms / 1000).toFixed(1) + " s"; }
function row(cells, action) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = String(c);
    if (typeof c === "number") td.className = "num";
    tr.appendChild(td);
  }
  if (action) {
    const td = document.createElement("td");
    const b = document.createElement("button");
    b.textContent = action.label;
    b.addEventListener("click", () => post(action.path));
    td.appendChild(b);
    tr.appendChild(td);
  }
  return tr;
}
function fill(id, rows) { document.getElementById(id).replaceChildren(...rows); }
async function call(path, method) {
  const r = await fetch(path, { method: method || "GET", cache: "no-store",
                                headers: { "Authorization": "Bearer " + token } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message || r.statusText);
  return body;
}
async function post(path) {
  try { await call(path, "POST"); } catch (e) { showError(e); }
  refresh();
}
function showError(e) { status.className = "error"; status.textContent = e.message; }
async function refresh() {
  if (!token) { status.textContent = "Enter the token from <data-dir>/admin-token."; return; }
  try {
    const [c, j, s] = await Promise.all([call("/admin/clients"), call("/admin/jobs"),
                                         call("/admin/sessions")]);
    fill("clients", c.clients.map(x => row([x.user || "(signing in)", x.address,
      new Date(x.connected_since).toLocaleTimeString(), x.sessions, x.jobs])));
    fill("jobs", j.jobs.map(x => row([x.id, x.user, x.language, x.state, secs(x.waited_ms),
      secs(x.running_ms)], { label: "Cancel",
      path: "/admin/jobs/" + encodeURIComponent(x.id) + "/cancel" })));
    fill("sessions", s.sessions.map(x => row([x.id, x.user, x.language, x.state, x.history,
      secs(x.idle_ms)], { label: "Close",
      path: "/admin/sessions/" + encodeURIComponent(x.id) + "/close" })));
    status.className = "";
    status.textContent = "Updated " + new Date().toLocaleTimeString();
  } catch (e) { showError(e); }
}
document.getElementById("login").addEventListener("submit", ev => {
  ev.preventDefault();
  token = document.getElementById("token").value.trim();
  sessionStorage.setItem("coderoomAdminToken", token);
  refresh();
});
refresh();
setInterval(refresh, 3000);
</script>
</body></html>
)HTML");
}

} // namespace coderoom::core
