// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { besideBoxStyle } from '../../../src/overlay/badgeHostStyle';

afterEach(() => {
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('besideBoxStyle', () => {
  it('reads the computed style of one kind of name once per batch, not once per badge', () => {
    document.body.innerHTML = Array.from(
      { length: 20 },
      () => '<li class="row"><div class="name" style="display: inline-block; overflow: hidden; line-height: 20px">Bob</div></li>',
    ).join('');
    const reads = vi.spyOn(window, 'getComputedStyle');
    const memo = new Map<string, string>();
    const styles = [...document.querySelectorAll('.name')].map((name) => besideBoxStyle(name, memo));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(new Set(styles).size).toBe(1);
    expect(styles[0]).toContain('height: 20px');
  });
});
