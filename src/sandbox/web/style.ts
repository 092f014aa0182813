/** The views' one stylesheet, sent inline (the Content-Security-Policy allows inline styles and nothing external). */
export const STYLESHEET = `
:root { color-scheme: light; --text: #172b4d; --subtle: #44546f; --line: #dcdfe4; --link: #0c66e4; --bg-soft: #f7f8f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--text); background: #fff; }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 2; }
.skip:focus { left: .5rem; }
.topbar { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 1.5rem; padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); background: #fff; }
.brand { font-weight: 700; font-size: 1.1rem; color: var(--link); text-decoration: none; }
.topbar nav a { color: var(--text); text-decoration: none; font-weight: 600; }
.topbar nav a:hover { color: var(--link); }
.topbar form { margin-left: auto; display: flex; gap: .4rem; }
input[type=search], input[type=text] { font: inherit; padding: .3rem .6rem; border: 2px solid #8590a2; border-radius: 4px; min-width: 16rem; color: var(--text); }
button { font: inherit; padding: .3rem .9rem; border: 0; border-radius: 4px; background: var(--link); color: #fff; cursor: pointer; }
button:hover { background: #0055cc; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem; }
footer { max-width: 64rem; margin: 2rem auto; padding: 1rem 1.5rem; border-top: 1px solid var(--line); color: var(--subtle); font-size: .875rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: .5rem 0 .25rem; }
h2 { font-size: 1.4rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
.breadcrumbs ol { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .25rem; color: var(--subtle); font-size: .875rem; }
.breadcrumbs li + li::before { content: "›"; margin: 0 .35rem; }
.meta { color: var(--subtle); font-size: .875rem; margin: 0 0 1rem; }
.notice { border-left: 4px solid #c9372c; background: #ffeceb; padding: .6rem 1rem; margin: 1rem 0; }
.notice.info { border-color: var(--link); background: #e9f2ff; }
.content-body { border-top: 1px solid var(--line); padding-top: .5rem; overflow-wrap: break-word; }
.content-body img { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; margin: .75rem 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); }
pre { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 4px; padding: .75rem; overflow-x: auto; font-size: .875rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
figure.code-block { margin: .75rem 0; }
figure.code-block figcaption { font-weight: 600; font-size: .875rem; }
blockquote { margin: .75rem 0; padding-left: 1rem; border-left: 3px solid var(--line); color: var(--subtle); }
.panel { border-left: 4px solid #8590a2; background: var(--bg-soft); padding: .5rem 1rem; margin: .75rem 0; border-radius: 3px; }
.panel-label { font-weight: 700; margin: .25rem 0; }
.panel-info { border-color: #0c66e4; background: #e9f2ff; }
.panel-note { border-color: #6e5dc6; background: #f3f0ff; }
.panel-warning { border-color: #c9372c; background: #ffeceb; }
.panel-tip { border-color: #1f845a; background: #dcfff1; }
.task-list { list-style: none; padding-left: .25rem; }
.task-done span { text-decoration: line-through; color: var(--subtle); }
.macro-placeholder { display: inline-block; border: 1px dashed #8590a2; border-radius: 3px; padding: 0 .4rem; color: var(--subtle); font-size: .875rem; }
.macro-body { display: block; color: var(--text); }
.unsupported { font-family: ui-monospace, monospace; font-size: .875rem; background: #fff7d6; }
.missing-link { color: #ae2e24; text-decoration: underline dotted; }
.mention { background: #e9f2ff; border-radius: 1rem; padding: 0 .4rem; }
.status { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase; padding: 0 .35rem; border-radius: 3px; background: #dcdfe4; }
.status-green { background: #baf3db; } .status-red { background: #ffd5d2; } .status-yellow { background: #f8e6a0; }
.status-blue { background: #cce0ff; } .status-purple { background: #dfd8fd; }
.labels { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
.labels a { display: inline-block; background: #e9f2ff; border-radius: 3px; padding: 0 .5rem; text-decoration: none; }
.tree, .tree ul { list-style: none; padding-left: 1.1rem; }
.tree { padding-left: 0; }
.tree li { margin: .15rem 0; }
.lozenge { font-size: .75rem; color: var(--subtle); border: 1px solid var(--line); border-radius: 3px; padding: 0 .3rem; margin-left: .3rem; }
.results { list-style: none; padding: 0; }
.results li { padding: .6rem 0; border-bottom: 1px solid var(--line); }
.results .excerpt { margin: .2rem 0 0; color: var(--subtle); }
.search-form { display: grid; gap: .6rem; max-width: 40rem; margin: 1rem 0; }
.search-form div { display: flex; flex-direction: column; gap: .2rem; }
.search-form button { align-self: flex-start; }
.error { border-left: 4px solid #c9372c; background: #ffeceb; padding: .75rem 1rem; }
.comments article { border-top: 1px solid var(--line); padding: .5rem 0; }
.spaces td:first-child { font-family: ui-monospace, monospace; }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
`;
