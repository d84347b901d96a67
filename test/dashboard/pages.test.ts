/**
 * The pages shown instead of the one asked for (app/not-found.tsx, app/error.tsx), rendered to
 * HTML as the server renders them. e2e/not-found.spec.ts checks the not-found page in a browser.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import PageError from '@/app/error';
import NotFound from '@/app/not-found';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the not-found page', () => {
  it('says so and leads to the overview', () => {
    const html = renderToStaticMarkup(createElement(NotFound));
    expect(html).toMatch(/<h1[^>]*>Page not found<\/h1>/);
    expect(html).toMatch(/<a [^>]*href="\/"[^>]*>Go to the overview<\/a>/);
  });
});

describe('the error page', () => {
  const render = (error: unknown) => renderToStaticMarkup(createElement(PageError, { error, retry: () => {} }));

  it('offers to try again and names the error by the digest the server logged it under', () => {
    const html = render(Object.assign(new Error('An error occurred in the Server Components render.'), { digest: '2716354781' }));
    expect(html).toMatch(/<button type="button"[^>]*>Try again<\/button>/);
    expect(html).toMatch(/<a [^>]*href="\/"[^>]*>Go to the overview<\/a>/);
    expect(text(html)).toContain('log names this error 2716354781');
  });

  it('shows no message of the error, and no digest where there is none (a value thrown in the browser)', () => {
    const html = render(new Error('SECRET in a message'));
    expect(html).not.toContain('SECRET');
    expect(text(html)).not.toContain('log names');
    expect(render('a thrown string')).toContain('Try again');
  });
});
