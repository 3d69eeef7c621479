import { render } from 'preact';
import '../../src/ui/theme.css';
import './popup.css';
import { t } from '../../src/text/i18n';
import { PopupApp } from './PopupApp';

// The page's title is a message, so it is set here: WXT copies index.html as written (see there).
document.title = t('extName');
const root = document.getElementById('app');
if (root) render(<PopupApp />, root);
