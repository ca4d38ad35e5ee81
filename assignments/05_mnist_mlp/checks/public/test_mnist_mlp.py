"""Public checks of assignment 5: students run these with `grader check 5`.

Every accuracy and loss is computed in the judge, on the student's weights loaded into the
trusted copy of the architecture in mnist_support.py. The student's process only ever sees
training images (see mnist_support.worker_folder); test labels stay here.
"""

import math

import mnist_support as support
import pytest
import torch
from mnist_support import CHECKPOINT, MODULE_FILE

from grader.checklib import Remote, describe, expect_float, is_stub, require_function, say, title

# Accuracy of the submitted checkpoint on the judge's test images, lightly perturbed
# (mnist_support.perturbed, a fresh perturbation in every run).
CHECKPOINT_ACCURACY_FULL = 0.97  # full MNIST (10,000 test images): the course's requirement
CHECKPOINT_ACCURACY_SUBSET = 0.76  # the offline subset (1,000 test images)
# Calibration (2026-11-23, torch 2.14.1 CPU; reference/05_mnist_mlp/calibrate.py full 0-4): the
# lecture's recipe (30 epochs, batches of 128 in order, Adam lr 0.001, cross-entropy) trained on the
# subset's 4,000 training images with seeds 0-4, each model after every epoch from the 10th on
# (105 models, each as likely to be a student's final one) measured on the 1,000 test images under
# three perturbations: 0.884-0.915, worst error 0.116 (seed 2, epoch 30); 0.76 allows an error of
# 0.24, a factor of 2.07. Untrained: 0.05-0.18; a lookup of the exact test images: 0.10. Full
# MNIST is not on the course's machine: its 97% is the course's requirement, not calibrated here
# (reference/05_mnist_mlp/CHECKPOINTS.md).

SHORT_LIMIT, SHORT_ACCURACY = support.SHORT_LIMIT, support.SHORT_ACCURACY  # calibrated in mnist_support.py
HISTORY_EPOCHS, HISTORY_LIMIT = 4, 1000


def data_for(data_dir):
    return support.judge_data(str(data_dir))


def grading_device(submission):
    """torch.device("cuda") on a machine with CUDA, else torch.device("cpu"), made in the worker."""
    return support.worker_device(submission, "cuda" if support.cuda_available() else "cpu")


# --- the model --------------------------------------------------------------------------------


@pytest.mark.points(2)
@title(ko="MultiLayerPerceptron()이 정해진 층 구조를 가진다: state dict의 키와 모양")
def test_model_structure(submission):
    """MultiLayerPerceptron() has the prescribed layers: state-dict keys and shapes"""
    state = submission.MultiLayerPerceptron().state_dict()
    support.trusted(state, say("the state dict of MultiLayerPerceptron()", "MultiLayerPerceptron()의 state dict"))


@pytest.mark.points(1)
@pytest.mark.parametrize("layout", ["(N, 784)", "(N, 1, 28, 28)"])
@title(ko="forward가 이미지 배치를 받아 이미지마다 숫자 10개를 반환한다")
def test_forward_shapes(submission, layout):
    """forward takes a batch of images and returns 10 numbers per image"""
    x = torch.rand(5, 784) if layout == "(N, 784)" else torch.rand(5, 1, 28, 28)
    out = submission.MultiLayerPerceptron()(x)
    got = say(f"shape {tuple(out.shape)}", f"모양 {tuple(out.shape)}") if type(out) is torch.Tensor else describe(out)
    assert type(out) is torch.Tensor and tuple(out.shape) == (5, 10), say(
        f"MultiLayerPerceptron()(x) for x of shape {layout} with N = 5 must return a tensor of shape (5, 10), got "
        f"{got}",
        f"x의 모양이 {layout}이고 N = 5일 때 MultiLayerPerceptron()(x)은 모양이 (5, 10)인 텐서를 반환해야 합니다. "
        f"받은 값: {got}",
    )


@pytest.mark.points(2)
@title(ko="forward가 정해진 층으로 계산한 로짓을 반환한다 (끝에 softmax나 tanh 없음)")
def test_forward_gives_logits(submission, data_dir):
    """forward returns logits, as the prescribed layers compute them (no softmax or tanh at the end)"""
    state = support.fresh_state(11)
    state["model.2.weight"] = state["model.2.weight"] * 20  # large logits: squashing them shows
    model = support.worker_model(submission, state)
    x = torch.cat([support.validation(data_for(data_dir))[0][:40], torch.rand(24, 1, 28, 28)])
    got = model(x)
    assert type(got) is torch.Tensor and tuple(got.shape) == (64, 10), say(
        f"MultiLayerPerceptron()(x) must return a tensor of shape (64, 10) for 64 images, got {describe(got)}",
        "MultiLayerPerceptron()(x)은 이미지 64장에 대해 모양이 (64, 10)인 텐서를 반환해야 합니다. 받은 값: "
        f"{describe(got)}",
    )
    want = support.logits(support.trusted(state, say("the weights", "가중치")), x)
    if torch.allclose(got, want, rtol=1e-4, atol=1e-4):
        return
    if torch.allclose(got, torch.softmax(want, dim=1), atol=1e-4):
        raise AssertionError(
            say(
                "forward returns probabilities (a softmax of the logits). Return the logits, the output of the last "
                "Linear layer: torch.nn.CrossEntropyLoss applies the softmax itself",
                "forward가 확률(로짓의 softmax)을 반환합니다. 마지막 Linear 층의 출력인 로짓을 그대로 반환하세요. "
                "softmax는 torch.nn.CrossEntropyLoss가 알아서 적용합니다",
            )
        )
    if torch.allclose(got, torch.tanh(want), atol=1e-4):
        raise AssertionError(
            say(
                "forward squashes its output with tanh, as the lecture's Sequential does after its last Linear "
                "layer. Return the logits, the output of the last Linear layer, for torch.nn.CrossEntropyLoss",
                "forward가 강의의 Sequential처럼 마지막 Linear 층 뒤에 tanh를 적용합니다. torch.nn.CrossEntropyLoss에 "
                "넘길 수 있도록 마지막 Linear 층의 출력인 로짓을 그대로 반환하세요",
            )
        )
    worst = float((got - want).abs().max())
    raise AssertionError(
        say(
            f"forward's output differs by up to {worst:.4g} from what the prescribed layers "
            "(Linear(784, 1024) -> tanh -> Linear(1024, 10)) compute with the same weights; forward must be "
            "self.model(x flattened to (N, 784)) and nothing else",
            "forward의 출력이 같은 가중치로 정해진 층(Linear(784, 1024) -> tanh -> Linear(1024, 10))을 계산한 값과 "
            f"최대 {worst:.4g}만큼 다릅니다. forward는 self.model(x를 (N, 784)로 펼친 것)이어야 하고, 그 밖의 계산을 "
            "하면 안 됩니다",
        )
    )


@pytest.mark.points(1)
@title(ko="get_device()가 GPU가 있으면 GPU를, 없으면 CPU를 돌려준다")
def test_get_device(submission):
    """get_device() gives the GPU when there is one, else the CPU"""
    device = submission.get_device()
    want = "cuda" if support.cuda_available() else "cpu"
    assert isinstance(device, Remote) and device.type_name == "torch.device", say(
        f"get_device() must return a torch.device, got {describe(device)}: "
        'torch.device("cuda" if torch.cuda.is_available() else "cpu")',
        f"get_device()는 torch.device를 반환해야 합니다. 받은 값: {describe(device)}. "
        'torch.device("cuda" if torch.cuda.is_available() else "cpu")를 사용하세요',
    )
    kind = device.type
    assert kind == want, say(
        f"get_device() returned a {kind} device on a machine where torch.cuda.is_available() is "
        f"{want == 'cuda'}; expected {want}",
        f"torch.cuda.is_available()이 {want == 'cuda'}인 컴퓨터에서 get_device()가 {kind} 장치를 반환했습니다. "
        f"{want} 장치여야 합니다",
    )


@pytest.mark.points(2)
@title(ko='get_device 밖에 .cuda()나 "cuda"를 직접 쓰지 않는다 (구문 트리)')
def test_no_hard_coded_cuda(student_files):
    """no hard-coded .cuda() or "cuda" outside get_device (syntax tree)"""
    source, tree = student_files.source(MODULE_FILE), student_files.tree(MODULE_FILE)
    for name in ("get_device", "train_epoch", "test_epoch", "train"):
        assert not is_stub(require_function(tree, name, MODULE_FILE)), say(
            f"`{name}` is not written yet (it only raises NotImplementedError)",
            f"`{name}`이(가) 아직 작성되지 않았습니다 (NotImplementedError만 발생시킵니다)",
        )
    found = support.cuda_mentions(tree, source)
    lines = "; ".join(f"{student_files.location(MODULE_FILE, line)}: {code}" for line, code in found[:5])
    assert not found, say(
        f"{MODULE_FILE} names the GPU outside get_device ({lines}). Such code fails on a machine without a "
        "GPU and ignores the device it is given: move tensors and models with .to(device), where device is "
        "the argument of your function (train's default is get_device())",
        f"{MODULE_FILE}이(가) get_device 밖에서 GPU를 직접 지정합니다 ({lines}). 이런 코드는 GPU가 없는 컴퓨터에서 "
        "실패하고, 함수에 주어진 장치를 무시합니다. 텐서와 모델은 .to(device)로 옮기고, device는 함수의 인자를 쓰세요 "
        "(train의 기본값은 get_device())",
    )


# --- train_epoch and test_epoch ---------------------------------------------------------------


@pytest.mark.points(1)
@pytest.mark.parametrize("function", ["train_epoch", "test_epoch"])
@title(ko="각 배치를 모델에 넣기 전에 장치로 옮긴다 (구문 트리)")
def test_batches_moved_to_device(student_files, function):
    """each batch goes to the device before the model sees it (syntax tree)"""
    definition = require_function(student_files.tree(MODULE_FILE), function, MODULE_FILE)
    assert support.moves_inputs_to_device(definition), say(
        f"in {function}, the images given to the model are not moved to the device: write X = X.to(device) "
        "(and y = y.to(device)) for every batch. The lecture's test loop forgets it for X (it moves only y), "
        "which fails as soon as the model is on a GPU",
        f"{function}에서 모델에 넣는 이미지를 장치로 옮기지 않습니다. 배치마다 X = X.to(device) "
        "(그리고 y = y.to(device))를 쓰세요. 강의의 테스트 루프는 X를 옮기는 것을 빠뜨렸는데(y만 옮김), "
        "이러면 모델이 GPU에 있을 때 바로 실패합니다",
    )


@pytest.mark.points(1)
@title(ko="test_epoch가 그래프를 만들지 않고 계산한다: torch.no_grad() (구문 트리)")
def test_test_epoch_builds_no_graph(student_files):
    """test_epoch computes without building a graph: torch.no_grad() (syntax tree)"""
    definition = require_function(student_files.tree(MODULE_FILE), "test_epoch", MODULE_FILE)
    assert support.builds_no_graph(definition), say(
        "test_epoch must run its loop under `with torch.no_grad():` (or torch.inference_mode()): evaluation needs "
        "no gradients, and the graph autograd builds otherwise costs memory and time. In the lecture the "
        "caller wraps test_epoch in no_grad; here test_epoch does it itself",
        "test_epoch는 루프를 `with torch.no_grad():` (또는 torch.inference_mode()) 안에서 실행해야 합니다. 평가에는 "
        "그레디언트가 필요 없고, 그렇지 않으면 autograd가 만드는 그래프가 메모리와 시간을 잡아먹습니다. 강의에서는 "
        "호출하는 쪽이 test_epoch를 no_grad로 감쌌지만, 여기서는 test_epoch가 직접 해야 합니다",
    )


def _epoch_candidates(model, x, y, batch_size=128) -> dict[str, tuple[float, float]]:
    """(accuracy, loss) of one pass: per image, and as the mean of the batches' values."""
    correct, losses, accs, sizes = 0, [], [], []
    for xb, yb in zip(x.split(batch_size), y.split(batch_size)):
        out = support.logits(model, xb)
        hits = int((out.argmax(dim=1) == yb).sum())
        correct += hits
        accs.append(hits / len(yb))
        losses.append(float(torch.nn.functional.cross_entropy(out, yb)))
        sizes.append(len(yb))
    n = sum(sizes)
    per_image = (correct / n, sum(value * size for value, size in zip(losses, sizes)) / n)
    return {"per image": per_image, "per batch": (sum(accs) / len(accs), sum(losses) / len(losses))}


def check_epoch_result(result, candidates: dict[str, tuple[float, float]], call: str) -> None:
    assert type(result) is tuple and len(result) == 2, say(
        f"{call} must return (accuracy, mean loss) as two floats, got {describe(result)}",
        f"{call}은(는) (정확도, 평균 손실)을 float 두 개로 반환해야 합니다. 반환값: {describe(result)}",
    )
    acc = expect_float(result[0], say(f"the accuracy returned by {call}", f"{call}이(가) 반환한 정확도"))
    loss = expect_float(result[1], say(f"the loss returned by {call}", f"{call}이(가) 반환한 손실"))
    want_acc, want_loss = candidates["per image"]
    assert any(math.isclose(acc, a, abs_tol=1e-6) for a, _ in candidates.values()), say(
        f"{call} returned the accuracy {acc:.6g}; with these weights it is {want_acc:.6g}: the number of "
        "correct predictions (argmax of the logits equal to the label) divided by the number of images",
        f"{call}이(가) 정확도 {acc:.6g}을(를) 반환했습니다. 이 가중치로는 {want_acc:.6g}입니다. 정확도는 "
        "맞게 예측한 수(로짓의 argmax가 레이블과 같은 경우)를 이미지 수로 나눈 값입니다",
    )
    if any(math.isclose(loss, value, rel_tol=1e-4, abs_tol=1e-6) for _, value in candidates.values()):
        return
    hint = ""
    if loss > 3 * want_loss:
        hint = say(
            " (it looks like a sum over the batches: divide by the number of images)",
            " (배치들에 대한 합으로 보입니다. 이미지 수로 나누세요)",
        )
    raise AssertionError(
        say(
            f"{call} returned the loss {loss:.6g}; the mean cross-entropy per image with these weights is "
            f"{want_loss:.6g}{hint}. Add loss.item() * len(y) for every batch and divide by the number of images",
            f"{call}이(가) 손실 {loss:.6g}을(를) 반환했습니다. 이 가중치로 계산한 이미지당 평균 교차 엔트로피는 "
            f"{want_loss:.6g}입니다{hint}. 배치마다 loss.item() * len(y)를 더한 뒤 이미지 수로 나누세요",
        )
    )


@pytest.mark.points(2)
@title(ko="test_epoch가 로더에 대한 모델의 정확도와 평균 손실을 반환한다")
def test_test_epoch_measures(submission, data_dir):
    """test_epoch returns the accuracy and the mean loss of the model on the loader"""
    data = data_for(data_dir)
    state = support.fresh_state(3)
    root = support.worker_folder(data)
    model = support.worker_model(submission, state)
    loader = support.worker_loader(submission, root, train=False)
    loss_fn = support.worker_torch(submission).nn.CrossEntropyLoss()
    result = submission.test_epoch(model, loader, loss_fn, support.worker_device(submission, "cpu"))
    x, y = support.validation(data)
    candidates = _epoch_candidates(support.trusted(state, say("the weights", "가중치")), x, y)
    check_epoch_result(result, candidates, "test_epoch(model, loader, torch.nn.CrossEntropyLoss(), device)")
    after = support.canonical_state(model.state_dict())
    assert all(torch.equal(after[k], v) for k, v in state.items()), say(
        "test_epoch changed the model's weights: evaluation must not train (no backward, no optimizer step)",
        "test_epoch가 모델의 가중치를 바꿨습니다. 평가에서는 학습하면 안 됩니다 (backward도, 옵티마이저의 step도 "
        "하지 마세요)",
    )


@pytest.mark.points(1)
@title(ko="test_epoch가 모델을 평가 모드로 바꾼다")
def test_test_epoch_eval_mode(submission, data_dir):
    """test_epoch puts the model in eval mode"""
    data = data_for(data_dir)
    model = support.worker_model(submission, support.fresh_state(4))
    model.call_method("train")
    loader = support.worker_loader(submission, support.worker_folder(data), train=False)
    loss_fn = support.worker_torch(submission).nn.CrossEntropyLoss()
    submission.test_epoch(model, loader, loss_fn, support.worker_device(submission, "cpu"))
    assert model.training is False, say(
        "after test_epoch the model is still in training mode: call model.eval() at the start of test_epoch "
        "(and model.train() at the start of train_epoch). Layers such as dropout and batch normalisation "
        "behave differently in the two modes",
        "test_epoch가 끝난 뒤에도 모델이 학습 모드입니다. test_epoch를 시작할 때 model.eval()을 호출하세요 "
        "(train_epoch를 시작할 때는 model.train()). dropout이나 batch normalization 같은 층은 두 모드에서 다르게 "
        "동작합니다",
    )


# --- the submitted checkpoint -----------------------------------------------------------------


@pytest.mark.points(1)
@title(ko="mnist_mlp.pt가 weights_only=True로 읽을 수 있는 MultiLayerPerceptron의 state dict이다")
def test_checkpoint_is_a_state_dict(student_files):
    """mnist_mlp.pt is a state dict of MultiLayerPerceptron, readable with weights_only=True"""
    support.trusted_from_checkpoint(student_files.path(CHECKPOINT))


@pytest.mark.points(5)
@title(ko="약간 변형한 테스트 이미지에서 체크포인트의 정확도")
def test_checkpoint_accuracy(student_files, data_dir, plots):
    """the checkpoint's accuracy on the test images, lightly perturbed"""
    data = data_for(data_dir)
    model = support.trusted_from_checkpoint(student_files.path(CHECKPOINT))
    predicted = support.predictions(model, support.perturbed(data.test_x))
    counts = support.confusion(data.test_y, predicted)
    acc = float((predicted == data.test_y).double().mean())
    clean = support.accuracy(model, data.test_x, data.test_y)
    plots.add(
        support.confusion_chart(
            counts, say(f"{CHECKPOINT} on the perturbed test images", f"변형한 테스트 이미지에서 {CHECKPOINT}의 결과")
        ),
        caption=say(
            f"Accuracy {acc:.2%} on {data.test_label}, lightly perturbed (as given: {clean:.2%}). "
            "Row: the true digit; column: the digit the model predicted.",
            f"약간 변형한 {data.test_label}에서 정확도 {acc:.2%} (원본 그대로는 {clean:.2%}). 행: 실제 숫자, 열: "
            "모델이 예측한 숫자.",
        ),
    )
    full = data.source.kind != "offline-subset"
    threshold = CHECKPOINT_ACCURACY_FULL if full else CHECKPOINT_ACCURACY_SUBSET
    assert acc >= threshold, say(
        f"{CHECKPOINT} classifies {acc:.2%} of {data.test_label} correctly (lightly perturbed: each image a little "
        f"dimmer, with a little noise; {clean:.2%} as given); at least {threshold:.0%} is required on {data.label}. "
        "Train with the lecture's recipe (30 epochs, batches of 128, Adam with lr 0.001, cross-entropy) on the "
        "training images and save model.state_dict()",
        f"{CHECKPOINT}이(가) {data.test_label} 중 {acc:.2%}를 맞게 분류합니다 (약간 변형한 이미지: 각 이미지를 조금 "
        f"어둡게 하고 약간의 잡음을 더함. 원본 그대로는 {clean:.2%}). {data.label}에서 {threshold:.0%} 이상이어야 "
        "합니다. 강의의 방법대로(30 에포크, 배치 크기 128, Adam lr 0.001, 교차 엔트로피) 학습 이미지로 학습하고 "
        "model.state_dict()를 저장하세요",
    )


# --- train ------------------------------------------------------------------------------------


@pytest.mark.points(3)
@title(ko="train(epochs=1, limit=2000)을 짧게 실행해도 채점용 테스트 이미지에서 정확도가 충분히 높다")
def test_short_training_accuracy(submission, data_dir, plots):
    """a short train(epochs=1, limit=2000) reaches a good accuracy on the judge's test images"""
    data = data_for(data_dir)
    root = support.worker_folder(data)
    model, _ = support.run_train(
        submission, root, epochs=1, limit=SHORT_LIMIT, seed=0, device=grading_device(submission)
    )
    trained = support.trusted(model.state_dict(), say("the model returned by train", "train이 반환한 모델"))
    predicted = support.predictions(trained, data.test_x)
    acc = float((predicted == data.test_y).double().mean())
    plots.add(
        support.confusion_chart(support.confusion(data.test_y, predicted), f"train(epochs=1, limit={SHORT_LIMIT})"),
        caption=say(
            f"The returned model's accuracy on {data.test_label}: {acc:.2%}.",
            f"{data.test_label}에서 반환된 모델의 정확도: {acc:.2%}.",
        ),
    )
    assert acc >= SHORT_ACCURACY, say(
        f"after train(root, epochs=1, limit={SHORT_LIMIT}, seed=0) the model classifies {acc:.2%} of "
        f"{data.test_label} correctly; one epoch of the lecture's recipe reaches at least {SHORT_ACCURACY:.0%}. "
        "Use torch.nn.CrossEntropyLoss() on the logits (not a squared error on the class indices, no softmax "
        "before it), Adam with lr, and zero_grad, backward, step for every batch",
        f"train(root, epochs=1, limit={SHORT_LIMIT}, seed=0) 후 모델이 {data.test_label} 중 {acc:.2%}를 맞게 "
        f"분류합니다. 강의의 방법으로 1 에포크만 학습해도 {SHORT_ACCURACY:.0%} 이상이 됩니다. 로짓에 "
        "torch.nn.CrossEntropyLoss()를 쓰고(클래스 번호에 대한 제곱 오차는 안 되며, 그 앞에 softmax도 넣지 마세요), "
        "Adam에 lr을 주고, 배치마다 zero_grad, backward, step을 호출하세요",
    )


@pytest.mark.points(2)
@title(ko="train의 history에 매 에포크의 정확도와 교차 엔트로피가 담겨 있다")
def test_history(submission, data_dir, plots):
    """train's history holds the accuracy and the cross-entropy of every epoch"""
    data = data_for(data_dir)
    root = support.worker_folder(data)
    call = f"train(root, epochs={HISTORY_EPOCHS}, limit={HISTORY_LIMIT}, seed=0)"
    model, history = support.run_train(
        submission, root, epochs=HISTORY_EPOCHS, limit=HISTORY_LIMIT, seed=0, device=grading_device(submission)
    )
    for svg in support.learning_curves(history, call):
        plots.add(
            svg,
            caption=say(
                f"The history {call} returned; its test split: {support.VALIDATION:,} training images of {data.label}.",
                f"{call}이(가) 반환한 history입니다. 테스트 데이터는 {data.label}의 학습 이미지 "
                f"{support.VALIDATION:,}장입니다.",
            ),
        )
    for key in support.HISTORY_KEYS:
        low, high = (0.0, 1.0) if key.endswith("acc") else (0.0, math.inf)
        assert all(low <= v <= high for v in history[key]), say(
            f'history["{key}"] of {call} holds {history[key]}; accuracies are fractions between 0 and 1, '
            "losses are not negative",
            f'{call}의 history["{key}"] 값이 {history[key]}입니다. 정확도는 0과 1 사이의 비율이고, '
            "손실은 음수가 될 수 없습니다",
        )
    x, y = support.validation(data)
    trained = support.trusted(model.state_dict(), say("the model returned by train", "train이 반환한 모델"))
    candidates = _epoch_candidates(trained, x, y)
    got = (history["test_acc"][-1], history["test_loss"][-1])
    want_acc, want_loss = candidates["per image"]
    assert any(math.isclose(got[0], a, abs_tol=1e-6) for a, _ in candidates.values()), say(
        f'history["test_acc"][-1] of {call} is {got[0]:.4g}, but the returned model classifies {want_acc:.4g} of '
        "the test split correctly: record test_epoch's accuracy after every epoch, for the model train returns",
        f'{call}의 history["test_acc"][-1]은(는) {got[0]:.4g}인데, 반환된 모델은 테스트 데이터의 '
        f"{want_acc:.4g}를 맞게 분류합니다. 매 에포크가 끝날 때 train이 반환하는 모델에 대한 test_epoch의 정확도를 "
        "기록하세요",
    )
    assert any(math.isclose(got[1], loss, rel_tol=1e-3, abs_tol=1e-5) for _, loss in candidates.values()), say(
        f'history["test_loss"][-1] of {call} is {got[1]:.4g}, but the mean cross-entropy of the returned model\'s '
        f"logits on the test split is {want_loss:.4g}. Train and evaluate with torch.nn.CrossEntropyLoss() on the "
        "logits: not a squared error on the class indices (the lecture's loss_mse), and no softmax before it",
        f'{call}의 history["test_loss"][-1]은(는) {got[1]:.4g}인데, 반환된 모델의 로짓으로 계산한 테스트 데이터의 '
        f"평균 교차 엔트로피는 {want_loss:.4g}입니다. 학습과 평가 모두 로짓에 torch.nn.CrossEntropyLoss()를 쓰세요. "
        "클래스 번호에 대한 제곱 오차(강의의 loss_mse)는 안 되고, 그 앞에 softmax도 넣지 마세요",
    )


@pytest.mark.points(2)
@title(ko="CUDA가 있는 컴퓨터에서 train이 주어진 GPU에서 실행되어, 끝난 뒤 모델의 파라미터가 GPU에 있다")
def test_training_on_the_gpu(submission, data_dir):
    """on a CUDA machine, train runs on the GPU it is given: the model's parameters are there afterwards"""
    if not support.cuda_available():
        pytest.skip(
            say(
                "no CUDA device on the grading machine, so train was not run on a GPU; these points are not counted",
                "채점 컴퓨터에 CUDA 장치가 없어서 train을 GPU에서 실행하지 않았습니다. 이 점수는 계산에 넣지 않습니다",
            )
        )
    data = data_for(data_dir)
    cuda = support.worker_device(submission, "cuda")
    model, _ = support.run_train(submission, support.worker_folder(data), epochs=1, limit=500, seed=0, device=cuda)
    worker_cuda = support.worker_torch(submission).cuda
    on_gpu = worker_cuda.memory_allocated()
    model.call_method("cpu")
    moved = on_gpu - worker_cuda.memory_allocated()
    size = sum(v.numel() * v.element_size() for v in support.fresh_state(0).values())
    assert moved >= 0.99 * size, say(
        f'after train(root, device=torch.device("cuda")) the model\'s parameters are not on the GPU: moving the '
        f"model to the CPU freed {moved:,} bytes of GPU memory, its parameters take {size:,}. Build the model and "
        "move it with .to(device) for the device train is given",
        f'train(root, device=torch.device("cuda")) 후 모델의 파라미터가 GPU에 있지 않습니다. 모델을 CPU로 '
        f"옮겼을 때 풀려난 GPU 메모리는 {moved:,}바이트인데, 파라미터는 {size:,}바이트를 차지합니다. 모델을 만든 뒤 "
        "train에 주어진 장치로 .to(device)를 써서 옮기세요",
    )
