import { render } from 'preact';
import { App } from './App';
import { startChatLive } from './live/chatLive';
import { startLive } from './live/socket';
import { startRouter } from './lib/router';
import { loadSession } from './state/session';
import { watchSessionChanges } from './state/sessionWatch';
import './styles/app.css';
import './styles/prose.css';

startRouter();
startLive();
watchSessionChanges();
startChatLive();
void loadSession();

const root = document.getElementById('app');
if (root) render(<App />, root);
