/**
 * Frontmatter shapes people's notes have (written for these tests after reading public Obsidian vaults, Jekyll and
 * Hugo sites and plugin docs: tags as lists, flow lists and comma strings; aliases; cssclasses; dates and times;
 * nested maps; Dataview-style fields; Templater output; wiki links in values; empty values). All valid YAML that
 * our reader must read exactly as the `yaml` package does. The text between the `---` fences only.
 */
export const OBSIDIAN_FRONTMATTER: readonly string[] = [
	"title: Weekly review\ncreated: 2024-03-11T08:15Z\naliases:\n- Review\n- Weekly\ntags:\n- review\n- journal\n",
	"up: [[Projects]]\ntags: area/home, effort/low, note/reference\naliases: \n",
	'id: "20240512093011"\ntype: note/report\nstatus: unread\nsource: 🧠 Reading list\ncreated: undefined\nyear: "[[2024]]"\ntags:\n  - reading\n  - year/2024\n  - pkm/metadata\nlink-up:\n  - "[[home-moc]]"\nlink-related:\n  - "[[2024-05-12|Daily note]]"\n',
	'aliases: [Gardening tips, Plant care]\ntags: ["#garden", "#howto"]\n',
	"cssclasses:\n  - wide-page\n  - no-inline-title\ncssclass: cards\n",
	"tags: [book, to-read]\nauthor: Ursula K. Le Guin\nrating: 4.5\npages: 248\nread: false\nstarted: 2024-01-02\nfinished:\n",
	"title: 'It''s a trap: a note on defaults'\ndescription: \"A \\\"quoted\\\" word, a tab\\there and an é (\\u00e9)\"\n",
	"date: 2019-03-01 10:00:00 +0100\nlayout: post\npermalink: /blog/:year/:title/\nexcerpt_separator: <!--more-->\ncategories: [notes, yaml]\npublished: true\n",
	'title: Front matter\nlinktitle:\ndescription: Notes can carry front matter in several formats.\ndate: 2021-02-09\ncategories: [content management]\nkeywords: ["front matter", "yaml", "metadata"]\nmenu:\n  docs:\n    parent: "content-management"\n    weight: 30\nweight: 30\t#rem\ndraft: false\naliases: [/content/front-matter/]\ntoc: true\n',
	'created: <% tp.file.creation_date() %>\nmodified: <% tp.file.last_modified_date("YYYY-MM-DD") %>\ntags: daily\n',
	"# Templater filled this in\ndate: 2024-07-04\nweekday: Thursday\nmood: 7\nsleep: 6.5\nhabits:\n  exercise: true\n  reading: false\n  meditation: ~\n",
	"summary: >\n  A folded summary that goes on\n  over two lines.\n\n  And a second paragraph.\nnotes: |\n  - first line kept\n  - second line kept\n",
	"query: |-\n  TABLE file.ctime AS Created\n  FROM #project\n  SORT file.ctime DESC\nkept: |+\n  trailing lines kept\n\nafter: yes\n",
	"publish: true\npermalink: notes/yaml\ndg-publish: true\ndg-home: false\n",
	"tags:\n- inbox\n-  two-spaces\n- 'quoted tag'\n- \"dq tag\"\n- 2024\n- true\n",
	"people:\n  - name: Ada\n    role: author\n  - name: Grace\n    role: reviewer\n",
	"location: [52.5200, 13.4050]\ncoordinates: {lat: 35.6895, lon: 139.6917}\n",
	"version: 1.0\nbuild: 0x1F\nmode: 0o755\nratio: 1e-3\nnothing: null\ntilde: ~\ninf: .inf\n",
	"タイトル: 旅行の計画\nタグ:\n  - 旅行\n  - 京都\n日付: 2024-04-01\n",
	"\"key with: colon\": value\n'single key': 2\nplain key with spaces: 3\n",
	'related:\n  [\n    "[[Note A]]",\n    "[[Note B]]"\n  ]\n',
	"tags: [\n  alpha,\n  beta,\n  gamma\n]\n",
	"status: 🟢 active\npriority: high # set by hand\ndue: 2024-12-31\n\n# waiting on others\nblocked: false\n",
	"kanban-plugin: basic\n",
	"excalidraw-plugin: parsed\ntags: [excalidraw]\n",
	'url: https://example.com/path?query=1#anchor\nsource: "https://example.com/a: b"\n',
	'title: "Long title with a line break\\nin the middle of it that is long"\n',
	"quote: 'A multi-line single-quoted\n  value folded into one line'\nplain: a plain value\n  continued here\n",
	"empty_list: []\nempty_map: {}\nempty_string: ''\nempty_dq: \"\"\n",
	"yes: no\non: off\ny: n\n",
	"share: false\nfeed: show\ncomments: true\nlang: en-US\n",
	"time: 10:30\nduration: 1:30:00\nversion_string: 1.2.3\n",
	"book:\n  title: The Dispossessed\n  authors:\n    - Ursula K. Le Guin\n  year: 1974\n",
];
