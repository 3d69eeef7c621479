import { t } from '../text/i18n';

export function BrandHeader({ subtitle }: { subtitle?: string }) {
  return (
    <header class="brand">
      <img src="/icon/shield.svg" alt="" width={28} height={28} />
      <div>
        <h1>{t('extName')}</h1>
        {subtitle && <p class="subtitle">{subtitle}</p>}
      </div>
    </header>
  );
}
