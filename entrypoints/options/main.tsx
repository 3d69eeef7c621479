import { render } from 'preact';
import '../../src/ui/theme.css';
import './options.css';
import { t } from '../../src/text/i18n';
import { OptionsApp } from './OptionsApp';

// The tab's title is a message, so it is set here: WXT copies index.html as written (see there).
document.title = t('optionsTitle');
const root = document.getElementById('app');
if (root) render(<OptionsApp />, root);
