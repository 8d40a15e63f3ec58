"""Benchmark of the watch-list engine: articles/s and MB/s through the `newswatch tag` path.

Not a test: run `python bench/engine.py [--articles N]`. A deterministic multilingual
corpus of ~3 KB articles (a quarter of them with watch-list news, the rest filler and
traps) is generated in memory; each run normalises, matches, scores and builds Alert
records via `newswatch.tagger.alerts.alerts_for`, exactly as `newswatch tag` does.
Prints the compile time and the median of 5 runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from newswatch.contracts import Article, utc_now
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine

ARTICLE_BYTES = 3000
RUNS = 5
FILLER = {
    "en": "The city council met on Tuesday to discuss the budget for schools and roads. ",
    "id": "Pemerintah daerah membahas anggaran sekolah dan jalan pada rapat hari Selasa. ",
    "ko": "시의회는 화요일 회의에서 학교와 도로 예산을 논의했다. ",
    "ru": "Городской совет во вторник обсудил бюджет на школы и дороги. ",
    "zh": "市议会周二开会讨论了学校和道路的预算问题。",
    "ja": "市議会は火曜日、学校と道路の予算について協議した。",
    "ar": "ناقش مجلس المدينة يوم الثلاثاء ميزانية المدارس والطرق. ",
    "es": "El ayuntamiento se reunió el martes para debatir el presupuesto de escuelas y carreteras. ",
    "fr": "Le conseil municipal s'est réuni mardi pour discuter du budget des écoles et des routes. ",
    "de": "Der Stadtrat beriet am Dienstag über den Haushalt für Schulen und Straßen. ",
    "vi": "Hội đồng thành phố đã họp hôm thứ Ba để thảo luận ngân sách cho trường học và đường sá. ",
}
NEWS = {
    "en": "The EU imposed new sanctions on Russia and North Korea over arms deliveries. ",
    "id": "Amerika Serikat menjatuhkan sanksi baru terhadap Korea Utara atas pengiriman senjata. ",
    "ko": "정부는 북한의 무기 수출에 대해 독자 제재를 발표했다. ",
    "ru": "Евросоюз ввёл новые санкции против КНДР из-за поставок оружия. ",
    "zh": "美国宣布对朝鲜实施新的经济制裁，指其向俄罗斯出售武器。",
    "ja": "政府は北朝鮮に対する追加制裁を決め、武器輸出を非難した。",
    "ar": "فرضت الولايات المتحدة عقوبات جديدة على كوريا الشمالية بسبب صفقات الأسلحة. ",
    "es": "La UE impuso nuevas sanciones a Corea del Norte por la venta de armas. ",
    "fr": "L'UE a imposé de nouvelles sanctions à la Corée du Nord pour ses ventes d'armes. ",
    "de": "Die EU verhängte neue Sanktionen gegen Nordkorea wegen Waffenlieferungen. ",
    "vi": "Mỹ áp đặt lệnh trừng phạt mới đối với Triều Tiên vì bán vũ khí. ",
}
TRAPS = {
    "en": "The league sanctioned the club after fans welcomed the coach with open arms. ",
    "id": "Gencatan senjata berlaku dan PSSI menjatuhkan sanksi kepada klub. ",
    "de": "Der Waffenstillstand hält; der Verein erhielt eine Geldstrafe. ",
}


def corpus(count: int, seed: int = 7) -> list[Article]:
    """`count` articles of about ARTICLE_BYTES bytes each, mixed languages, deterministic."""
    rng = random.Random(seed)
    languages = sorted(FILLER)
    articles = []
    for number in range(count):
        language = rng.choice(languages)
        sentences: list[str] = []
        while sum(len(sentence.encode()) for sentence in sentences) < ARTICLE_BYTES:
            roll = rng.random()
            if roll < 0.03:
                sentences.append(NEWS[language])
            elif roll < 0.06 and language in TRAPS:
                sentences.append(TRAPS[language])
            else:
                sentences.append(FILLER[language])
            if rng.random() < 0.2:
                sentences.append("\n")
        hint = None if number % 10 == 0 else language  # some articles need detection
        articles.append(
            Article(id=f"bench-{number}", title=f"Bench {number}", body="".join(sentences), language=hint)
        )
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = Engine.default()
    engine.match("warm-up", "North Korea", None)  # loads the language model, builds char tables
    compile_seconds = time.perf_counter() - started
    articles = corpus(args.articles)
    megabytes = sum(len(article.title.encode()) + len(article.body.encode()) for article in articles) / 1e6
    timings, alerts = [], 0
    for _ in range(RUNS):
        tagged_at = utc_now()
        started = time.perf_counter()
        alerts = sum(len(alerts_for(article, engine, tagged_at)) for article in articles)
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    print(f"compile (load YAML, build automaton, load language model): {compile_seconds:.3f} s")
    print(f"corpus: {len(articles)} articles, {megabytes:.2f} MB, {alerts} alerts per run")
    rate = len(articles) / seconds
    print(f"median of {RUNS} runs: {seconds:.3f} s = {rate:,.0f} articles/s, {megabytes / seconds:.1f} MB/s")


if __name__ == "__main__":
    main()
