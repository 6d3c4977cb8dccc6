// tenant-index status page: polls /status.json (aggregated by the writer) and renders it.
// Plain DOM, no dependencies; every value is set with textContent.
(function () {
  'use strict';
  var POLL_MS = 1000;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function fmtInt(n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'); }
  function fmtMs(ms) {
    if (ms === null || ms === undefined) { return '–'; }
    if (ms < 1000) { return ms + ' ms'; }
    if (ms < 60000) { return (ms / 1000).toFixed(1) + ' s'; }
    if (ms < 3600000) { return Math.floor(ms / 60000) + ' min'; }
    return (ms / 3600000).toFixed(1) + ' h';
  }
  function fmtPct(r) { return r === null || r === undefined ? '–' : (r * 100).toFixed(1) + ' %'; }
  function fmtRate(r) { return r === null || r === undefined ? '–' : (r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString('en-US')) + '/s'; }
  function fmtTime(iso) { var d = new Date(iso); return isNaN(d) ? iso : d.toLocaleTimeString('en-GB'); }

  function sparkline(values) {
    var ns = 'http://www.w3.org/2000/svg';
    var w = 240, h = 40, pad = 2;
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'lag over the last ' + values.length + ' polls');
    if (!values.length) { return svg; }
    var max = Math.max.apply(null, values.concat([1]));
    var step = values.length > 1 ? (w - 2 * pad) / (values.length - 1) : 0;
    var pts = values.map(function (v, i) {
      var x = values.length > 1 ? pad + i * step : w / 2;
      var y = h - pad - (v / max) * (h - 2 * pad);
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    var area = document.createElementNS(ns, 'polygon');
    area.setAttribute('points', pts.join(' ') + ' ' + (w - pad) + ',' + (h - pad) + ' ' + pad + ',' + (h - pad));
    var line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.appendChild(area);
    svg.appendChild(line);
    return svg;
  }

  // A degraded colo (Kafka unreachable) still serves its last-known-good state: say so, ready or not.
  function coloState(c) { return !c.up ? 'down' : c.status === 'degraded' ? 'degraded' : c.ready ? 'ready' : 'restoring'; }

  function renderColo(c) {
    var card = el('article', { 'class': 'colo', 'data-colo': c.colo, 'data-up': String(c.up), 'data-ready': String(c.ready) });
    var top = el('div', { 'class': 'top' });
    top.appendChild(el('span', { 'class': 'name' }, c.colo));
    var state = coloState(c);
    top.appendChild(el('span', { 'class': 'pill', 'data-status': state, 'data-field': 'state' }, state.toUpperCase()));
    card.appendChild(top);
    card.appendChild(el('div', { 'class': 'url', title: c.url }, c.url));
    var dl = el('dl');
    [['lag', fmtInt(c.lag) + (c.lag === null ? '' : ' rec')], ['staleness', fmtMs(c.stalenessMs)],
     ['hit ratio', fmtPct(c.hitRatio)], ['lookups', fmtRate(c.lookupsPerSecond)],
     ['entries', fmtInt(c.entries)], ['phase', c.status]].forEach(function (kv) {
      dl.appendChild(el('dt', null, kv[0]));
      dl.appendChild(el('dd', { 'data-field': kv[0].replace(' ', '-') }, kv[1]));
    });
    card.appendChild(dl);
    card.appendChild(sparkline(c.lagHistory || []));
    var lbl = el('div', { 'class': 'spark-label' });
    var hist = c.lagHistory || [];
    lbl.appendChild(el('span', null, 'lag, last ' + hist.length + ' polls'));
    lbl.appendChild(el('span', null, 'max ' + fmtInt(hist.length ? Math.max.apply(null, hist) : null)));
    card.appendChild(lbl);
    card.appendChild(el('div', { 'class': 'error', 'data-field': 'error' }, c.error || ''));
    return card;
  }

  function renderChanges(changes, colos) {
    var head = $('changes-head');
    while (head.children.length > 5) { head.removeChild(head.lastChild); }
    colos.forEach(function (c) { head.appendChild(el('th', { 'class': 'colo-col' }, c.colo)); });
    var body = $('changes-body');
    body.textContent = '';
    if (!changes.length) {
      var tr = el('tr', { 'class': 'empty' });
      tr.appendChild(el('td', { colspan: String(5 + colos.length) }, 'No writes since the writer started.'));
      body.appendChild(tr);
      return;
    }
    changes.forEach(function (ch) {
      var tr = el('tr', { 'data-tenant': ch.tenantId, 'data-version': String(ch.version) });
      tr.appendChild(el('td', null, fmtTime(ch.at)));
      tr.appendChild(el('td', { 'class': 'tenant' }, ch.tenantId));
      var what = ch.op + (ch.tier ? ' · ' + ch.tier : '') + (ch.coloHint ? ' · ' + ch.coloHint : '');
      tr.appendChild(el('td', { 'class': 'op-' + ch.op }, what));
      tr.appendChild(el('td', null, ch.version));
      tr.appendChild(el('td', null, ch.partition + ':' + ch.offset));
      colos.forEach(function (c) {
        var a = ch.appliedIn ? ch.appliedIn[c.colo] : null;
        var v = a === true ? 'true' : a === false ? 'false' : 'unknown';
        tr.appendChild(el('td', { 'class': 'applied', 'data-colo': c.colo, 'data-applied': v,
          title: v === 'true' ? 'applied in ' + c.colo : v === 'false' ? 'not yet applied in ' + c.colo : c.colo + ' is down' },
          v === 'true' ? '✓' : v === 'false' ? '…' : '?'));
      });
      body.appendChild(tr);
    });
  }

  function render(s) {
    var w = s.writer || {};
    var ws = $('writer-status');
    ws.textContent = w.status || '?';
    ws.setAttribute('data-status', w.status || '');
    $('writer-id').textContent = w.writerId || '–';
    $('writer-tenants').textContent = fmtInt(w.tenants);
    $('writer-committed').textContent = fmtInt(w.writes ? w.writes.committed : null);
    $('updated').textContent = fmtTime(s.generatedAt);
    var box = $('colos');
    box.textContent = '';
    if (!s.colos.length) { box.appendChild(el('p', { 'class': 'empty' }, 'No colos configured (writer.colo.urls).')); }
    s.colos.forEach(function (c) { box.appendChild(renderColo(c)); });
    renderChanges(s.changes || [], s.colos);
    document.body.setAttribute('data-loaded', 'true');
  }

  function poll() {
    fetch('/status.json', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); })
      .then(function (s) { $('banner').hidden = true; render(s); })
      .catch(function (e) { var b = $('banner'); b.textContent = 'The writer is not answering (' + e.message + '); retrying…'; b.hidden = false; })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
}());
