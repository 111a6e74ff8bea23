"""Label mapping for 3-class, binary and 5-star models, on tiny randomly initialised models saved to a temp dir."""
import numpy as np
import pytest

from sentiment.transformers_backend import TransformersScorer, label_mapping, probs_to_scores


def _tiny_model(path, id2label, with_specials=True):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    torch.manual_seed(0)
    vocab = {"[UNK]": 0, "[PAD]": 1, "[CLS]": 2, "[SEP]": 3, "good": 4, "bad": 5, "ok": 6}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    if with_specials:
        tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                           special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", model_max_length=32)
    fast.save_pretrained(path)
    config = BertConfig(vocab_size=len(vocab), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=32, pad_token_id=1,
                        id2label=dict(enumerate(id2label)), label2id={v: k for k, v in enumerate(id2label)})
    BertForSequenceClassification(config).save_pretrained(path)
    return str(path)


@pytest.mark.parametrize("names,kind,targets", [
    (["negative", "neutral", "positive"], "classes", ["negative", "neutral", "positive"]),
    (["Positive", "Negative", "Neutral"], "classes", ["positive", "negative", "neutral"]),
    (["LABEL_0", "LABEL_1", "LABEL_2"], "classes", ["negative", "neutral", "positive"]),
    (["NEG", "POS"], "classes", ["negative", "positive"]),
    (["1 star", "2 stars", "3 stars", "4 stars", "5 stars"], "stars", [1, 2, 3, 4, 5]),
])
def test_label_mapping(names, kind, targets):
    assert label_mapping(dict(enumerate(names))) == (kind, targets)


def test_unknown_labels_are_refused():
    with pytest.raises(ValueError):
        label_mapping({0: "joy", 1: "anger"})


def test_star_probabilities_become_a_signed_score():
    targets = [1, 2, 3, 4, 5]
    one, five, three = probs_to_scores(np.eye(5)[[0, 4, 2]], "stars", targets)
    assert (one.label, one.score) == ("negative", -1.0)
    assert (five.label, five.score) == ("positive", 1.0)
    assert (three.label, three.score) == ("neutral", 0.0)
    mixed = probs_to_scores(np.array([[0.1, 0.1, 0.1, 0.3, 0.4]]), "stars", targets)[0]
    assert mixed.label == "positive" and mixed.confidence == pytest.approx(0.7)
    assert mixed.score == pytest.approx((3.8 - 3) / 2)


@pytest.mark.parametrize("names", [["LABEL_0", "LABEL_1", "LABEL_2"], ["negative", "neutral", "positive"],
                                   ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]])
def test_tiny_model_scores(tmp_path, names):
    scorer = TransformersScorer(_tiny_model(tmp_path, names))
    texts = ["good", "bad ok good", "", "ok " * 5000]  # empty and very long texts (truncated) work
    scores = scorer.score(texts)
    assert len(scores) == 4
    for s in scores:
        assert s.label in ("negative", "neutral", "positive")
        assert -1 <= s.score <= 1 and 0 <= s.confidence <= 1
    # batched, length-sorted scoring returns the same as one text at a time, in input order
    single = [scorer.score([t])[0] for t in texts]
    for a, b in zip(scores, single):
        assert a.label == b.label and a.score == pytest.approx(b.score, abs=1e-4)
    assert scorer.version and scorer.name == str(tmp_path)


def test_tokenizer_without_special_tokens_handles_empty_text(tmp_path):
    scorer = TransformersScorer(_tiny_model(tmp_path, ["NEG", "POS"], with_specials=False))
    assert [s.label in ("negative", "positive") for s in scorer.score(["", "good"])] == [True, True]


def test_int8_quantized_tiny_model(tmp_path):
    scorer = TransformersScorer(_tiny_model(tmp_path, ["negative", "neutral", "positive"]), quantize=True)
    assert scorer.version.endswith("-int8")
    assert len(scorer.score(["good", "bad"])) == 2
