import * as z from "zod";

/**
 * The genre table of the organize phase (a user setting). Each genre names the vault folder its notes are
 * filed under, a description (shown in the settings and given to an LLM classifier) and keywords for the
 * rule-based classifier. Keywords are matched case-insensitively; ASCII keywords on word boundaries, keywords
 * with CJK (or other non-ASCII) characters as plain substrings, since Japanese has no spaces between words.
 */
export const GenreSchema = z.object({
	/** Stable id, lower case (`ai`, `travel`, ...). `other` must always exist. */
	key: z
		.string()
		.min(1)
		.regex(/^[a-z0-9][a-z0-9_-]*$/, "genre keys are lower-case letters, digits, - and _"),
	/** Vault-relative folder (POSIX, no leading or trailing slash), e.g. `Travel` or `Life/Travel`. */
	folder: z.string().min(1),
	description: z.string().default(""),
	keywords: z.array(z.string().min(1)).default([]),
});
export type Genre = z.infer<typeof GenreSchema>;

export const GenreTableSchema = z
	.array(GenreSchema)
	.min(1)
	.superRefine((genres, ctx) => {
		const seen = new Set<string>();
		for (const [index, genre] of genres.entries()) {
			if (seen.has(genre.key)) {
				ctx.addIssue({ code: "custom", path: [index, "key"], message: `duplicate genre key "${genre.key}"` });
			}
			seen.add(genre.key);
		}
	});

/** The key every unknown or unclassifiable note falls back to. */
export const OTHER_GENRE_KEY = "other";

export const DEFAULT_GENRES: readonly Genre[] = [
	{
		key: "ai",
		folder: "AI",
		description: "AI, machine learning, LLMs, generative AI, Claude, ChatGPT, prompts",
		keywords: [
			"ai", "llm", "machine learning", "deep learning", "neural network", "gpt", "chatgpt", "claude", "openai",
			"anthropic", "prompt", "embedding", "fine-tuning", "ollama", "rag", "transformer",
			"人工知能", "機械学習", "深層学習", "生成AI", "プロンプト", "大規模言語モデル", "ニューラル",
		],
	},
	{
		key: "engineering",
		folder: "Engineering",
		description: "Programming, software architecture, APIs, databases, frameworks",
		keywords: [
			"code", "programming", "python", "typescript", "javascript", "rust", "golang", "java", "api", "database",
			"sql", "function", "refactoring", "algorithm", "framework", "library", "bug", "debug", "git", "unit test",
			"プログラミング", "コード", "実装", "設計", "アーキテクチャ", "データベース", "関数", "バグ", "リファクタリング",
			"開発", "エンジニア", "フレームワーク", "ライブラリ",
		],
	},
	{
		key: "devops",
		folder: "DevOps",
		description: "Infrastructure, CI/CD, cloud, Docker, Kubernetes, AWS, monitoring",
		keywords: [
			"docker", "kubernetes", "k8s", "ci/cd", "github actions", "terraform", "ansible", "aws", "gcp", "azure",
			"deploy", "deployment", "nginx", "linux", "server", "monitoring", "container", "backup", "rsync", "cron",
			"systemd", "ssh", "shell script", "bash",
			"インフラ", "デプロイ", "クラウド", "サーバー", "コンテナ", "監視", "運用",
		],
	},
	{
		key: "business",
		folder: "Business",
		description: "Business, management, leadership, marketing, career, meetings",
		keywords: [
			"business", "meeting", "strategy", "kpi", "okr", "marketing", "sales", "management", "leadership",
			"career", "customer", "product manager", "startup",
			"ビジネス", "会議", "戦略", "マーケティング", "営業", "マネジメント", "リーダーシップ", "キャリア", "顧客",
			"経営", "起業",
		],
	},
	{
		key: "economy",
		folder: "Economy",
		description: "Economy, investing, finance, markets",
		keywords: [
			"economy", "market", "stock", "inflation", "investment", "investing", "finance", "interest rate", "bond",
			"etf", "crypto", "bitcoin", "tax",
			"経済", "投資", "株", "株式", "金融", "市場", "インフレ", "金利", "為替", "資産運用", "税金", "nisa",
		],
	},
	{
		key: "health",
		folder: "Health",
		description: "Health, medicine, fitness, exercise, sleep, food",
		keywords: [
			"health", "medical", "doctor", "fitness", "exercise", "workout", "sleep", "diet", "nutrition", "running",
			"健康", "医療", "病院", "運動", "筋トレ", "睡眠", "食事", "栄養", "ダイエット", "症状",
		],
	},
	{
		key: "parenting",
		folder: "Parenting",
		description: "Child-rearing, childcare, education, toddlers",
		keywords: [
			"parenting", "baby", "toddler", "child", "children", "kids", "daycare", "school",
			"子育て", "育児", "子供", "子ども", "幼児", "赤ちゃん", "離乳食", "保育園", "幼稚園", "教育",
		],
	},
	{
		key: "travel",
		folder: "Travel",
		description: "Travel, sightseeing, hotels, flights",
		keywords: [
			"travel", "trip", "flight", "hotel", "sightseeing", "itinerary", "airport", "vacation", "passport",
			"旅行", "観光", "ホテル", "旅館", "航空券", "空港", "旅程", "温泉",
		],
	},
	{
		key: "lifestyle",
		folder: "Lifestyle",
		description: "Home appliances, DIY, housing, household goods, shopping",
		keywords: [
			"appliance", "diy", "furniture", "apartment", "house", "cleaning", "cooking", "recipe", "shopping",
			"家電", "住居", "家具", "掃除", "料理", "レシピ", "引っ越し", "生活用品", "買い物",
		],
	},
	{
		key: "daily",
		folder: "Daily",
		description: "Everyday life, hobbies, journal, miscellaneous notes",
		keywords: [
			"today", "diary", "journal", "memo", "hobby", "weekend", "daily note",
			"日記", "今日", "日常", "趣味", "雑記", "メモ", "週末",
		],
	},
	{
		key: OTHER_GENRE_KEY,
		folder: "Other",
		description: "Valuable notes that fit none of the genres above",
		keywords: [],
	},
];
