// The browser client: plain JavaScript, no build step. It connects with the
// token in the query string, sends hello and send, joins, broadcasts to and
// leaves rooms, and lists every frame that arrives. ?url=…&token=… in the page's own address fill the form.
'use strict';

const $ = (id) => document.getElementById(id);
let socket = null;

function setStatus(text) {
  $('status').textContent = text;
}

function setConnected(open) {
  $('connect').disabled = open;
  $('disconnect').disabled = !open;
  $('hello').disabled = !open;
  for (const id of ['send', 'join', 'leave', 'broadcast']) $(id).disabled = !open;
}

// show lists one frame. Frames are text set with textContent, never HTML:
// a message comes from another user.
function show(text) {
  const item = document.createElement('li');
  let frame = null;
  try {
    frame = JSON.parse(text);
  } catch {
    // Not JSON: shown as it came.
  }
  if (frame && typeof frame.from === 'string' && typeof frame.message === 'string') {
    item.className = 'delivery';
    // A member's message to a room says which room it came through.
    const room = typeof frame.room === 'string' ? `[${frame.room}] ` : '';
    item.textContent = `${room}${frame.from}: ${frame.message}`;
    item.title = text;
  } else {
    if (frame && (frame.error || frame.message === 'Forbidden' || frame.message === 'Internal server error')) {
      item.className = 'error';
    }
    item.textContent = text;
  }
  $('received').append(item);
}

function connect() {
  let url;
  try {
    url = new URL($('url').value.trim());
  } catch {
    setStatus('the endpoint is not a URL');
    return;
  }
  url.searchParams.set('token', $('token').value.trim());
  setStatus('connecting…');
  setConnected(true);
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => setStatus('connected');
  ws.onmessage = (event) => show(event.data);
  // A refused handshake (401 without a token, 403 for a bad one) reaches a
  // page only as a close with code 1006: browsers hide the status.
  ws.onclose = (event) => {
    if (socket === ws) socket = null;
    setConnected(false);
    setStatus(`closed (${event.code}${event.reason ? ' ' + event.reason : ''})`);
  };
}

function sendJSON(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

$('connect').onclick = connect;
$('disconnect').onclick = () => socket && socket.close(1000, 'bye');
$('hello').onclick = () => sendJSON({ action: 'hello', userName: $('name').value });
$('send').onclick = () => sendJSON({ action: 'send', to: $('to').value, message: $('message').value });
$('join').onclick = () => sendJSON({ action: 'join', room: $('room').value });
$('leave').onclick = () => sendJSON({ action: 'leave', room: $('room').value });
$('broadcast').onclick = () => sendJSON({ action: 'broadcast', room: $('room').value, message: $('roomMessage').value });

const params = new URLSearchParams(location.search);
$('url').value = params.get('url') || 'ws://localhost:3001';
$('token').value = params.get('token') || '';
