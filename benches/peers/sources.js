// metascraper (title, description, image, author, date, publisher, lang, url), timed on
// the same pages: `node sources.js N FILE...` prints "files items seconds".
const fs = require('fs')
const metascraper = require('metascraper')([
  require('metascraper-author')(),
  require('metascraper-date')(),
  require('metascraper-description')(),
  require('metascraper-image')(),
  require('metascraper-lang')(),
  require('metascraper-publisher')(),
  require('metascraper-title')(),
  require('metascraper-url')()
])

async function main () {
  const n = Number(process.argv[2])
  const pages = process.argv.slice(3).map(f => fs.readFileSync(f, 'utf8'))
  let items = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    for (const html of pages) {
      await metascraper({ html, url: 'https://www.example.com/page' })
      items++
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9
  console.log(`${pages.length * n} ${items} ${secs.toFixed(6)}`)
}
main()
