import { render } from 'preact';
import '../../src/ui/theme.css';
import './popup.css';
import { PopupApp } from './PopupApp';

const root = document.getElementById('app');
if (root) render(<PopupApp />, root);
