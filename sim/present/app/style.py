"""The workshop app's own style, inlined in its page (sim/present/app/server.py): nothing is
loaded from anywhere else.

Normal type is at least 14 px. The changes' buttons sit in a bar at the foot of the window
(`.actions`: sticky, the page's last part, so that at the page's end it covers nothing), so
that no control is hidden in a scroll box or scrolled out of sight. In presentation mode
(`.present` on the page, the toggle in the top bar) every text is at least 28 px, for a room
(about 28-30 px at 1080p reads from five metres on a three-metre image); the run and the map
come first, the charts beside them, the controls below. The figures' own type and size follow
the mode in sim/present/app/figures.py (`Sizes`).
"""

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #222; background: #fafafa;
  font-size: 15px; }
.top { display: flex; align-items: center; gap: 16px; padding: 6px 14px; background: #1f3b57;
  color: #fff; flex-wrap: wrap; }
.top h1 { font-size: 22px; margin: 0; }
.top .sub { font-size: 14px; opacity: .9; flex: 1 1 200px; }
.top label { color: #fff; margin-left: 6px; }
.cols { display: grid; grid-template-columns: 320px minmax(0, 1fr) minmax(0, 1fr); gap: 10px;
  padding: 8px 10px; align-items: start; }
.box { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px;
  margin-bottom: 8px; }
.box h2 { font-size: 16px; margin: 0 0 6px 0; }
.control { margin: 8px 0 2px 0; font-size: 14px; }
.control .name { display: flex; justify-content: space-between; gap: 8px; }
.control .value { font-weight: bold; }
.control .dash-slider-container { padding: 0 10px; box-sizing: border-box; } /* an end mark fits */
.rc-slider-mark-text, .dash-slider-mark { font-size: 14px !important; }
.hint { font-size: 14px; color: #444; }
.error { color: #a40000; font-size: 14px; white-space: pre-wrap; }
.ok { color: #245c1f; font-size: 14px; }
button { font-size: 14px; margin: 2px 3px 2px 0; padding: 4px 9px; cursor: pointer; }
.runbar { display: flex; align-items: center; gap: 4px; flex-wrap: wrap; }
.runbar button { white-space: nowrap; }
.runbar label { margin: 0 4px; }
.month { font-size: 24px; font-weight: bold; margin: 2px 0; }
.caption { font-size: 15px; min-height: 34px; }
.strip { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px; }
.strip div { font-size: 14px; }
.strip b { display: block; font-size: 20px; }
.list { font-size: 14px; margin: 0 0 10px 0; }
.list ul { margin: 0; padding-left: 18px; } .list li { margin: 0 0 3px 0; } .list p { margin: 0; }
.met { color: #245c1f; } .notmet { color: #777; }
.dash-dropdown, .Select, .Select-value-label, .Select-option { font-size: 14px; }
.dash-dropdown-value, .dash-dropdown-value * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
#tabs { height: auto; } #tabs .tab { padding: 4px 12px !important; line-height: 26px; }
.info { max-width: 900px; padding: 8px 24px; font-size: 16px; line-height: 1.45; }
.scale { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; font-size: 14px;
  margin: 4px 0; }
.scale .bar { flex: 0 0 160px; height: 16px; border: 1px solid #999; }
.scale .missing { display: inline-block; width: 16px; height: 16px; border: 1px solid #999;
  vertical-align: middle; margin-right: 4px; }
html { scroll-padding-bottom: 80px; }  /* what is scrolled into view stays clear of the bar */
html:has(.present) { scroll-padding-bottom: 160px; }
.actions { position: sticky; bottom: 0; z-index: 10; background: #eef3f7;
  border-top: 2px solid #1f3b57; padding: 6px 14px; display: flex; align-items: center;
  gap: 8px; flex-wrap: wrap; }
.actions button { font-weight: bold; }
.actions #apply-message { flex: 1 1 300px; }
#b-apply { background: #1f3b57; color: #fff; border: 1px solid #1f3b57; border-radius: 4px; }
.note { font-size: 14px; color: #444; }
.pick { display: flex; align-items: center; gap: 8px; margin-bottom: 4px; }
.pick .grow { flex: 1 1 auto; min-width: 0; }
.present { font-size: 28px; }
.present *:not(text):not(tspan) { font-size: 28px !important; line-height: 1.3; }
.present .top h1 { font-size: 36px !important; }
.present .month, .present .strip b { font-size: 36px !important; }
.present .box h2 { font-size: 32px !important; }
.present .cols { grid-template-columns: minmax(0, 5fr) minmax(0, 6fr);
  grid-template-areas: "run info" "controls controls"; }
.present .cols > .c-run { grid-area: run; } .present .cols > .c-info { grid-area: info; }
.present .cols > .controls { grid-area: controls; display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); align-items: start; }
.present .control { margin-bottom: 40px; }
.present .strip { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.present .scale .bar { flex-basis: 240px; height: 26px; }
.present .scale .missing { width: 26px; height: 26px; }
.present input[type=checkbox], .present input[type=radio] { width: 24px; height: 24px; }
.present .info { max-width: 1500px; }
.present .top .sub { display: none; }
.present #speed { width: 150px !important; }
"""
