"""Benchmark of the watch-list engine: articles/s and MB/s through the `newswatch tag` path.

Not a test: run `python bench/engine.py [--articles N] [--news-share F] [--watchlists FILE...]`.
A deterministic multilingual corpus of ~3 KB articles is generated in memory (11
languages; by default a quarter of the articles carry watch-list news, some carry
traps, the rest are everyday filler that still mentions governments, schools and
courts). Each run normalises, matches, scores and builds Alert records via
`newswatch.tagger.alerts.alerts_for`, exactly as `newswatch tag` does.

Prints the compile time, the corpus, the median of 5 runs (wall clock and CPU time
of this one process: the per-core figure) and the split normalise / first-word
screen (every article) / full match (only the articles the screen lets through) /
score+alerts (CPU time).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from newswatch.contracts import Article, utc_now
from newswatch.tagger.alerts import alerts_for
from newswatch.watchlists import Engine
from newswatch.watchlists.text.boilerplate import boilerplate_lines
from newswatch.watchlists.text.normalize import normalize

ARTICLE_BYTES = 3000
RUNS = 5
FILLER = {
    "en": [
        "The city council met on Tuesday to discuss the budget for schools and roads. ",
        "The government said the new bridge would open to traffic next spring. ",
        "A court in the capital heard the case of a developer accused of fraud. ",
        "Rain is expected over the weekend, with temperatures falling at night. ",
    ],
    "id": [
        "Pemerintah daerah membahas anggaran sekolah dan jalan pada rapat hari Selasa. ",
        "Harga beras di pasar tradisional naik tipis menjelang akhir bulan. ",
        "Pengadilan negeri menunda sidang kasus korupsi proyek jalan tol. ",
        "Warga diminta waspada terhadap banjir selama musim hujan tahun ini. ",
    ],
    "ko": [
        "시의회는 화요일 회의에서 학교와 도로 예산을 논의했다. ",
        "정부는 내년 봄에 새 다리를 개통할 예정이라고 밝혔다. ",
        "주말에는 전국에 비가 내리고 기온이 떨어질 전망이다. ",
    ],
    "ru": [
        "Городской совет во вторник обсудил бюджет на школы и дороги. ",
        "Правительство сообщило, что новый мост откроют весной. ",
        "Суд рассмотрел дело застройщика, обвиняемого в мошенничестве. ",
    ],
    "zh": [
        "市议会周二开会讨论了学校和道路的预算问题。",
        "政府表示，新大桥将于明年春天通车。",
        "气象部门预计周末有雨，夜间气温下降。",
    ],
    "ja": [
        "市議会は火曜日、学校と道路の予算について協議した。",
        "政府は新しい橋を来年春に開通させると発表した。",
        "週末は雨の予報で、夜は気温が下がる見込みだ。",
    ],
    "ar": [
        "ناقش مجلس المدينة يوم الثلاثاء ميزانية المدارس والطرق. ",
        "قالت الحكومة إن الجسر الجديد سيفتح أمام حركة المرور في الربيع. ",
        "نظرت المحكمة في قضية مطور عقاري متهم بالاحتيال. ",
    ],
    "es": [
        "El ayuntamiento se reunió el martes para debatir el presupuesto de escuelas y carreteras. ",
        "El gobierno dijo que el nuevo puente se abrirá al tráfico la próxima primavera. ",
        "Se esperan lluvias durante el fin de semana y temperaturas más bajas por la noche. ",
    ],
    "fr": [
        "Le conseil municipal s'est réuni mardi pour discuter du budget des écoles et des routes. ",
        "Le gouvernement a indiqué que le nouveau pont ouvrirait au printemps prochain. ",
        "Un tribunal de la capitale a examiné l'affaire d'un promoteur accusé de fraude. ",
    ],
    "de": [
        "Der Stadtrat beriet am Dienstag über den Haushalt für Schulen und Straßen. ",
        "Die Regierung teilte mit, die neue Brücke werde im Frühjahr freigegeben. ",
        "Am Wochenende wird Regen erwartet, nachts sinken die Temperaturen. ",
    ],
    "vi": [
        "Hội đồng thành phố đã họp hôm thứ Ba để thảo luận ngân sách cho trường học và đường sá. ",
        "Chính phủ cho biết cây cầu mới sẽ thông xe vào mùa xuân năm sau. ",
        "Dự báo cuối tuần có mưa, nhiệt độ giảm vào ban đêm. ",
    ],
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


def corpus(count: int, news_share: float = 0.25, seed: int = 7) -> list[Article]:
    """`count` articles of about ARTICLE_BYTES bytes each, mixed languages, deterministic.

    A `news_share` of them carry one to three sentences of watch-list news; a tenth
    carry a trap where the language has one; a tenth arrive without a language.
    """
    rng = random.Random(seed)
    languages = sorted(FILLER)
    articles = []
    for number in range(count):
        language = rng.choice(languages)
        sentences: list[str] = []
        while sum(len(sentence.encode()) for sentence in sentences) < ARTICLE_BYTES:
            sentences.append(rng.choice(FILLER[language]))
            if rng.random() < 0.2:
                sentences.append("\n")
        if rng.random() < news_share:
            for _ in range(rng.randint(1, 3)):
                sentences.insert(rng.randrange(len(sentences) + 1), NEWS[language])
        if language in TRAPS and rng.random() < 0.1:
            sentences.insert(rng.randrange(len(sentences) + 1), TRAPS[language])
        hint = None if number % 10 == 0 else language
        articles.append(
            Article(id=f"bench-{number}", title=f"Bench {number}", body="".join(sentences), language=hint)
        )
    return articles


def median_seconds(work: Callable[[], object], clock: Callable[[], float]) -> float:
    timings = []
    for _ in range(RUNS):
        started = clock()
        work()
        timings.append(clock() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--news-share", type=float, default=0.25, help="share of articles with news")
    parser.add_argument("--watchlists", type=Path, nargs="+", help="watch-list files (default: packaged)")
    args = parser.parse_args()
    started = time.perf_counter()
    engine = Engine.from_paths(args.watchlists) if args.watchlists else Engine.default()
    engine.match("warm-up", "North Korea", None)  # loads the language model, builds char tables
    compile_seconds = time.perf_counter() - started
    articles = corpus(args.articles, args.news_share)
    megabytes = sum(len(article.title.encode()) + len(article.body.encode()) for article in articles) / 1e6
    tagged_at = utc_now()
    alerts = sum(len(alerts_for(article, engine, tagged_at)) for article in articles)
    matching = sum(1 for article in articles if alerts_for(article, engine, tagged_at))

    def tag() -> None:
        for article in articles:
            alerts_for(article, engine, tagged_at)

    def normalise() -> None:
        for article in articles:
            normalize(article.title, boilerplate_lines)
            normalize(article.body, boilerplate_lines)

    # Only articles whose rules' first words may reach a threshold are matched in full.
    documents = [engine._normalize(article.title, article.body) for article in articles]
    reachable = [document for document in documents if engine._screen(document)]

    def screen() -> None:
        for document in documents:
            engine._screen(document)

    def match() -> None:
        for document in reachable:
            for field in document.values():
                engine.matcher.find(field.text)

    wall = median_seconds(tag, time.perf_counter)
    cpu = median_seconds(tag, time.process_time)
    normalise_cpu = median_seconds(normalise, time.process_time)
    screen_cpu = median_seconds(screen, time.process_time)
    match_cpu = median_seconds(match, time.process_time)
    rest_cpu = max(cpu - normalise_cpu - screen_cpu - match_cpu, 0.0)
    print(f"compile (load YAML, build automaton, load language model): {compile_seconds:.3f} s")
    print(
        f"corpus: {len(articles)} articles, {megabytes:.2f} MB, {matching} matching, {alerts} alerts per run"
    )
    print(
        f"median of {RUNS} runs, wall clock: {wall:.3f} s = {len(articles) / wall:,.0f} articles/s, "
        f"{megabytes / wall:.1f} MB/s"
    )
    print(
        f"median of {RUNS} runs, CPU time (per core): {cpu:.3f} s = {len(articles) / cpu:,.0f} articles/s, "
        f"{megabytes / cpu:.1f} MB/s"
    )
    print(
        f"split (CPU): normalise {normalise_cpu:.3f} s ({megabytes / normalise_cpu:.0f} MB/s), "
        f"first-word screen {screen_cpu:.3f} s, "
        f"full match of the {len(reachable)} screened in {match_cpu:.3f} s, "
        f"score+alerts+language {rest_cpu:.3f} s"
    )


if __name__ == "__main__":
    main()
