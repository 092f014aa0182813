/**
 * The dashboard's stylesheet and script, served from this process at `/assets/…` (nothing from a CDN: it works
 * offline). The script only adds live updates; every page works without it.
 */

/** `/assets/dashboard.css`. */
export const DASHBOARD_CSS = `
:root { --fg:#172b4d; --muted:#5e6c84; --line:#dfe1e6; --bg:#f4f5f7; --card:#fff; --link:#0b57c4;
  --ok:#1f7a4d; --ok-bg:#e3fcef; --bad:#ae2a19; --bad-bg:#ffebe6; --warn:#8a5100; --warn-bg:#fff4d6;
  --info:#0747a6; --info-bg:#deebff; --idle:#42526e; --idle-bg:#ebecf0; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--link); }
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible { outline:3px solid #4c9aff; outline-offset:2px; }
.skip { position:absolute; left:-999px; } .skip:focus { left:8px; top:8px; background:#fff; padding:4px 8px; z-index:9; }
header.top { background:#0c2340; color:#fff; display:flex; gap:24px; align-items:center; padding:0 20px; }
header.top .brand { font-weight:700; padding:12px 0; color:#fff; text-decoration:none; }
header.top nav a { color:#dbe6ff; text-decoration:none; padding:12px 10px; display:inline-block; }
header.top nav a[aria-current=page] { color:#fff; box-shadow:inset 0 -3px 0 #4c9aff; }
header.top .live { margin-left:auto; font-size:12px; color:#b3c7ef; }
main { padding:20px; max-width:1280px; margin:0 auto; }
h1 { font-size:22px; margin:0 0 12px; } h2 { font-size:17px; margin:24px 0 8px; } h3 { font-size:15px; margin:16px 0 6px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:14px 16px; margin-bottom:14px; }
.card > h2:first-child, .card > h3:first-child { margin-top:0; }
table { border-collapse:collapse; width:100%; background:var(--card); }
th, td { text-align:left; padding:7px 9px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); } .mono, code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
pre { background:#f7f8f9; border:1px solid var(--line); border-radius:4px; padding:8px 10px; overflow:auto; max-height:420px; white-space:pre-wrap; word-break:break-word; margin:6px 0; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; white-space:nowrap; }
.s-succeeded { background:var(--ok-bg); color:var(--ok); } .s-failed { background:var(--bad-bg); color:var(--bad); }
.s-waiting { background:var(--warn-bg); color:var(--warn); } .s-running, .s-queued { background:var(--info-bg); color:var(--info); }
.s-cancelled, .s-missed, .s-skipped { background:var(--idle-bg); color:var(--idle); }
form.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:end; margin-bottom:12px; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:2px; }
input, select, textarea { font:inherit; padding:5px 7px; border:1px solid #c1c7d0; border-radius:4px; background:#fff; color:var(--fg); }
button, .button { font:inherit; padding:6px 12px; border-radius:4px; border:1px solid #c1c7d0; background:#fff; color:var(--fg); cursor:pointer; text-decoration:none; display:inline-block; }
button.primary { background:#0b57c4; border-color:#0b57c4; color:#fff; } button.danger { background:#ae2a19; border-color:#ae2a19; color:#fff; }
.actions { display:flex; gap:8px; flex-wrap:wrap; align-items:center; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:0; } dl.facts dt { color:var(--muted); }
.failure { border-left:4px solid var(--bad); background:var(--bad-bg); padding:10px 12px; border-radius:4px; }
.notice { border-left:4px solid var(--warn); background:var(--warn-bg); padding:10px 12px; border-radius:4px; }
.tl { width:100%; } .tl .row { display:grid; grid-template-columns:minmax(180px,32%) 1fr 80px; gap:8px; align-items:center; padding:3px 0; border-bottom:1px dashed #ebecf0; }
.tl .row.call .label { padding-left:18px; } .tl .track { position:relative; height:14px; background:#f4f5f7; border-radius:3px; }
.tl .bar { position:absolute; top:0; bottom:0; border-radius:3px; background:#4c9aff; }
.tl .row.step .bar { background:#8993a4; } .tl .bar.ok { background:#36b37e; } .tl .bar.error, .tl .bar.refused { background:#de350b; }
.tl .bar.simulated, .tl .bar.journaled { background:#ffab00; } .tl .dur { text-align:right; font-variant-numeric:tabular-nums; color:var(--muted); }
details > summary { cursor:pointer; } details.call { margin:2px 0 8px 18px; }
.strip { display:flex; gap:2px; } .strip a { width:10px; height:18px; border-radius:2px; display:inline-block; }
.strip .s-succeeded { background:#36b37e; } .strip .s-failed { background:#de350b; } .strip .s-waiting { background:#ffab00; }
.strip .s-running, .strip .s-queued { background:#4c9aff; } .strip .s-cancelled, .strip .s-missed, .strip .s-skipped { background:#c1c7d0; }
svg.chart { background:#f7f8f9; border:1px solid var(--line); border-radius:4px; }
svg.chart rect { fill:#4c9aff; } svg.chart line { stroke:#de350b; stroke-dasharray:3 2; }
.rendered { background:#fff; border:1px solid #f0e2b6; border-left:4px solid #ffab00; padding:4px 14px; border-radius:4px; max-height:420px; overflow:auto; }
.rendered table { width:auto; } .rendered td, .rendered th { border:1px solid var(--line); }
.rendered .panel { border-left:4px solid #8590a2; background:#f7f8f9; padding:6px 12px; margin:8px 0; border-radius:3px; }
.rendered .panel-info { border-color:#0c66e4; background:#e9f2ff; } .rendered .panel-note { border-color:#6e5dc6; background:#f3f0ff; }
.rendered .panel-warning { border-color:#c9372c; background:#ffeceb; } .rendered .panel-tip { border-color:#1f845a; background:#dcfff1; }
.rendered .task-list { list-style:none; padding-left:4px; } .rendered .macro-placeholder { border:1px dashed #8590a2; border-radius:3px; padding:0 6px; color:var(--muted); }
.preview { white-space:pre-wrap; background:#fffdf5; border:1px solid #f0e2b6; padding:10px; border-radius:4px; max-height:360px; overflow:auto; }
.pager { margin-top:10px; display:flex; gap:12px; }
.empty { padding:24px; text-align:center; color:var(--muted); background:var(--card); border:1px dashed var(--line); border-radius:6px; }
`;

/**
 * `/assets/dashboard.js`: when the page names an event stream (`data-live` on <body>), reloads the part of the page
 * marked `#live` whenever the server says its runs changed, keeping open <details> open.
 */
export const DASHBOARD_JS = `
(function () {
  var url = document.body.getAttribute('data-live');
  var target = document.getElementById('live');
  var status = document.getElementById('live-status');
  if (!url || !target || !window.EventSource) return;
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var open = Array.prototype.map.call(target.querySelectorAll('details[open][id]'), function (d) { return d.id; });
    fetch(location.href, { headers: { 'X-Fragment': 'live' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return;
        target.innerHTML = text;
        open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        target.dispatchEvent(new CustomEvent('live-updated', { bubbles: true }));
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var source = new EventSource(url);
  source.addEventListener('change', refresh);
  source.onopen = function () { if (status) status.textContent = 'live'; };
  source.onerror = function () { if (status) status.textContent = 'reconnecting…'; };
})();
`;
