// The customer pages in headless Chromium (Debian's package), driven by playwright-core:
// no console errors or CSP violations in either language, a screenshot of each as a test
// artifact, and the plain form (no JavaScript) uploading through the CSRF check to a receipt.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const binary = process.env.SUPPORTDROP_BINARY ?? resolve('build/src/supportdrop');
const artifacts = process.env.SUPPORTDROP_ARTIFACTS ?? resolve('build/artifacts');
const noReadme = resolve('tests/data/archives/test_read_format_zip.zip');
let sample; // a case as customers pack it, made by packCase()

let directory;
let server;
let origin;
let browser;

// Starts `supportdrop serve` on a free loopback port and resolves with its origin. The upload
// limit is 1 MiB, so that the oversize case needs no large file.
function startServer() {
  directory = mkdtempSync(join(tmpdir(), 'supportdrop-browser-'));
  const recipient = execFileSync(binary, ['keygen', '-o', join(directory, 'staff.key')]).toString().trim();
  writeFileSync(join(directory, 'supportdrop.toml'),
    `[server]\nlisten = "127.0.0.1:0"\n[admin]\nlisten = "127.0.0.1:0"\n` +
    `[storage]\ndata_dir = "data"\n[sealing]\nrecipients = ["${recipient}"]\n` +
    `[limits]\nmax_upload_bytes = 1048576\n`);
  server = spawn(binary, ['serve', '--config', join(directory, 'supportdrop.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolvePromise, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 10000);
    server.stderr.on('data', (chunk) => {
      log += chunk;
      const match = log.match(/kind=site url=(\S+)/);
      if (match && log.includes('serve.started')) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
}

before(async () => {
  origin = await startServer();
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (directory) rmSync(directory, { recursive: true, force: true });
});

// Opens `path` in a fresh context with `locale`, collecting console errors and page errors.
async function open(path, locale) {
  const context = await browser.newContext({ locale, extraHTTPHeaders: { 'Accept-Language': locale } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(origin + path);
  return { context, page, problems, response };
}

for (const [locale, heading] of [['de', 'Dateien für Ihren Supportfall senden'], ['en', 'Send files for your support case']]) {
  test(`upload page in ${locale} loads without console errors or CSP violations`, async () => {
    const { context, page, problems, response } = await open('/', locale);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'], /default-src 'none'/);
    assert.equal(await page.getAttribute('html', 'lang'), locale);
    assert.equal(await page.textContent('h1'), heading);
    // The stylesheet loaded under the CSP: the button has the accent colour, not the default.
    const background = await page.$eval('button', (element) => getComputedStyle(element).backgroundColor);
    assert.equal(background, 'rgb(11, 92, 173)');
    await page.screenshot({ path: join(artifacts, `upload-page-${locale}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// Packs a case with a Readme (concern and contact data) in the server's directory.
function packCase() {
  const caseDirectory = join(directory, 'case');
  mkdirSync(caseDirectory);
  writeFileSync(join(caseDirectory, 'Readme.txt'),
    'The nightly export stops with error 42 since Monday.\nE-Mail: erika@example.com\n');
  writeFileSync(join(caseDirectory, 'app.log'), 'log line\n');
  execFileSync('zip', ['-q', '-r', join(directory, 'case.zip'), '.'], { cwd: caseDirectory });
  return join(directory, 'case.zip');
}

test('the plain form uploads an archive and shows the receipt', async () => {
  sample = packCase();
  const { context, page, problems } = await open('/?lang=en', 'en');
  await page.setInputFiles('input[type=file]', sample);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(response.status(), 201);
  assert.equal(await page.textContent('h1'), 'Receipt');
  const digest = execFileSync('sha256sum', [sample]).toString().slice(0, 64);
  assert.equal((await page.textContent('.digest')).trim(), digest);
  assert.match(await page.textContent('.reference'), /^SD-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await page.screenshot({ path: join(artifacts, 'receipt-page-en.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('an archive without Readme gets the reason and what to do, in German', async () => {
  const { context, page, problems } = await open('/?lang=de', 'de');
  await page.setInputFiles('input[type=file]', noReadme);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(response.status(), 422);
  assert.match(await page.textContent('.reasons'), /Ihr Archiv enthält keine Readme\.txt\./);
  await page.screenshot({ path: join(artifacts, 'rejected-page-de.png'), fullPage: true });
  // Chromium reports the 422 itself on the console; anything else (a CSP violation) is a problem.
  assert.deepEqual(problems.filter((problem) => !problem.includes('status of 422')), []);
  await context.close();
});

test('an oversize file posted without JavaScript shows the 413 page, not a reset', async () => {
  const big = join(directory, 'big.zip');
  writeFileSync(big, Buffer.concat([readFileSync(noReadme), Buffer.alloc(3 * 1024 * 1024, 7)]));
  const { context, page } = await open('/?lang=de', 'de');
  await page.setInputFiles('input[type=file]', big);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(response.status(), 413);
  assert.match(await page.textContent('.error'), /Die Datei ist größer als 1 MB\./);
  await page.screenshot({ path: join(artifacts, 'too-large-page-de.png'), fullPage: true });
  await context.close();
});

test('an upload page opened in another site cannot post the form (CSRF)', async () => {
  const { context, page } = await open('/', 'en');
  // A form on another origin (an opaque one here) posting to the upload URL.
  await page.goto('about:blank');
  await page.setContent(`<form method="post" action="${origin}/upload" enctype="multipart/form-data">` +
    '<input type="file" name="file"><button>go</button></form>');
  await page.setInputFiles('input[type=file]', sample);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button')]);
  assert.equal(response.status(), 403);
  assert.match(await page.textContent('body'), /another website|form has expired/);
  await context.close();
});
