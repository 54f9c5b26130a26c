// Drives examples/browser in headless Chromium, for e2e/browser_e2e_test.go:
// taro and hanako each open the page; taro says hello; hanako sends taro a
// message; both join a room, hanako broadcasts to it and both leave; a third
// page connects with a bad token. It waits for each answer to
// show, then prints what every page shows as JSON for the Go test to check.
// taro and hanako are tokens; taroName is the user taro's token names.
//
//   node drive.mjs '{"page":"http://127.0.0.1:…/","api":"ws://localhost:…","taro":"…","taroName":"…","hanako":"…","userDataDir":"…","room":"…"}'
import { chromium } from 'playwright-core';

const cfg = JSON.parse(process.argv[2]);
const timeout = 15000;

const context = await chromium.launchPersistentContext(cfg.userDataDir, {
  executablePath: cfg.chromium || '/usr/bin/chromium',
  headless: true,
  // --user-data-dir is the launch's own argument (a fresh directory).
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  timeout,
});
context.setDefaultTimeout(timeout);

try {
  const open = async (token) => {
    const page = await context.newPage();
    const q = new URLSearchParams({ url: cfg.api, token });
    await page.goto(`${cfg.page}?${q}`);
    await page.click('#connect');
    return page;
  };
  const connected = (page) => page.waitForFunction(() => document.getElementById('status').textContent === 'connected');
  const received = (page, n) =>
    page.waitForFunction((n) => document.querySelectorAll('#received li').length >= n, n);

  const taro = await open(cfg.taro);
  const hanako = await open(cfg.hanako);
  await connected(taro);
  await connected(hanako);

  await taro.fill('#name', cfg.taroName);
  await taro.click('#hello');
  await received(taro, 1);

  await hanako.fill('#to', cfg.taroName);
  await hanako.fill('#message', 'lunch?');
  await hanako.click('#send');
  await received(taro, 2);
  await received(hanako, 1);

  await taro.fill('#room', cfg.room);
  await taro.click('#join');
  await received(taro, 3);
  await hanako.fill('#room', cfg.room);
  await hanako.click('#join');
  await received(hanako, 2);
  await hanako.fill('#roomMessage', 'hi room');
  await hanako.click('#broadcast');
  await received(hanako, 3);
  await received(taro, 4);
  await taro.click('#leave');
  await received(taro, 5);
  await hanako.click('#leave');
  await received(hanako, 4);

  const forged = await open('not-a-token');
  await forged.waitForFunction(() => document.getElementById('status').textContent.startsWith('closed'));

  const shows = (page) =>
    page.evaluate(() => ({
      status: document.getElementById('status').textContent,
      received: [...document.querySelectorAll('#received li')].map((li) => ({ class: li.className, text: li.textContent, title: li.title })),
    }));
  console.log(JSON.stringify({ taro: await shows(taro), hanako: await shows(hanako), forged: await shows(forged) }));
} finally {
  await context.close();
}
