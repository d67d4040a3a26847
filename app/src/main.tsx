import { render } from 'preact';
import { App } from './ui/App';
import { start } from './store';
import './styles.css';

render(<App />, document.getElementById('root')!);
void start();

if ('serviceWorker' in navigator) {
  void navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined);
}
