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

from grader.checklib import Remote, describe, expect_float, is_stub, require_function

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
def test_model_structure(submission):
    """MultiLayerPerceptron() has the prescribed layers: state-dict keys and shapes"""
    state = submission.MultiLayerPerceptron().state_dict()
    support.trusted(state, "the state dict of MultiLayerPerceptron()")


@pytest.mark.points(1)
@pytest.mark.parametrize("layout", ["(N, 784)", "(N, 1, 28, 28)"])
def test_forward_shapes(submission, layout):
    """forward takes a batch of images and returns 10 numbers per image"""
    x = torch.rand(5, 784) if layout == "(N, 784)" else torch.rand(5, 1, 28, 28)
    out = submission.MultiLayerPerceptron()(x)
    assert type(out) is torch.Tensor and tuple(out.shape) == (5, 10), (
        f"MultiLayerPerceptron()(x) for x of shape {layout} with N = 5 must return a tensor of shape (5, 10), got "
        + (f"shape {tuple(out.shape)}" if type(out) is torch.Tensor else describe(out))
    )


@pytest.mark.points(2)
def test_forward_gives_logits(submission, data_dir):
    """forward returns logits, as the prescribed layers compute them (no softmax or tanh at the end)"""
    state = support.fresh_state(11)
    state["model.2.weight"] = state["model.2.weight"] * 20  # large logits: squashing them shows
    model = support.worker_model(submission, state)
    x = torch.cat([support.validation(data_for(data_dir))[0][:40], torch.rand(24, 1, 28, 28)])
    got = model(x)
    assert type(got) is torch.Tensor and tuple(got.shape) == (64, 10), (
        f"MultiLayerPerceptron()(x) must return a tensor of shape (64, 10) for 64 images, got {describe(got)}"
    )
    want = support.logits(support.trusted(state, "the weights"), x)
    if torch.allclose(got, want, rtol=1e-4, atol=1e-4):
        return
    if torch.allclose(got, torch.softmax(want, dim=1), atol=1e-4):
        raise AssertionError(
            "forward returns probabilities (a softmax of the logits). Return the logits, the output of the last "
            "Linear layer: torch.nn.CrossEntropyLoss applies the softmax itself"
        )
    if torch.allclose(got, torch.tanh(want), atol=1e-4):
        raise AssertionError(
            "forward squashes its output with tanh, as the lecture's Sequential does after its last Linear "
            "layer. Return the logits, the output of the last Linear layer, for torch.nn.CrossEntropyLoss"
        )
    worst = float((got - want).abs().max())
    raise AssertionError(
        f"forward's output differs by up to {worst:.4g} from what the prescribed layers "
        "(Linear(784, 1024) -> tanh -> Linear(1024, 10)) compute with the same weights; forward must be "
        "self.model(x flattened to (N, 784)) and nothing else"
    )


@pytest.mark.points(1)
def test_get_device(submission):
    """get_device() gives the GPU when there is one, else the CPU"""
    device = submission.get_device()
    want = "cuda" if support.cuda_available() else "cpu"
    assert isinstance(device, Remote) and device.type_name == "torch.device", (
        f"get_device() must return a torch.device, got {describe(device)}: "
        'torch.device("cuda" if torch.cuda.is_available() else "cpu")'
    )
    kind = device.type
    assert kind == want, (
        f"get_device() returned a {kind} device on a machine where torch.cuda.is_available() is "
        f"{want == 'cuda'}; expected {want}"
    )


@pytest.mark.points(2)
def test_no_hard_coded_cuda(student_files):
    """no hard-coded .cuda() or "cuda" outside get_device (syntax tree)"""
    source, tree = student_files.source(MODULE_FILE), student_files.tree(MODULE_FILE)
    for name in ("get_device", "train_epoch", "test_epoch", "train"):
        assert not is_stub(require_function(tree, name, MODULE_FILE)), (
            f"`{name}` is not written yet (it only raises NotImplementedError)"
        )
    found = support.cuda_mentions(tree, source)
    lines = "; ".join(f"{student_files.location(MODULE_FILE, line)}: {code}" for line, code in found[:5])
    assert not found, (
        f"{MODULE_FILE} names the GPU outside get_device ({lines}). Such code fails on a machine without a "
        "GPU and ignores the device it is given: move tensors and models with .to(device), where device is "
        "the argument of your function (train's default is get_device())"
    )


# --- train_epoch and test_epoch ---------------------------------------------------------------


@pytest.mark.points(1)
@pytest.mark.parametrize("function", ["train_epoch", "test_epoch"])
def test_batches_moved_to_device(student_files, function):
    """each batch goes to the device before the model sees it (syntax tree)"""
    definition = require_function(student_files.tree(MODULE_FILE), function, MODULE_FILE)
    assert support.moves_inputs_to_device(definition), (
        f"in {function}, the images given to the model are not moved to the device: write X = X.to(device) "
        "(and y = y.to(device)) for every batch. The lecture's test loop forgets it for X (it moves only y), "
        "which fails as soon as the model is on a GPU"
    )


@pytest.mark.points(1)
def test_test_epoch_builds_no_graph(student_files):
    """test_epoch computes without building a graph: torch.no_grad() (syntax tree)"""
    definition = require_function(student_files.tree(MODULE_FILE), "test_epoch", MODULE_FILE)
    assert support.builds_no_graph(definition), (
        "test_epoch must run its loop under `with torch.no_grad():` (or torch.inference_mode()): evaluation needs "
        "no gradients, and the graph autograd builds otherwise costs memory and time. In the lecture the "
        "caller wraps test_epoch in no_grad; here test_epoch does it itself"
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
    assert type(result) is tuple and len(result) == 2, (
        f"{call} must return (accuracy, mean loss) as two floats, got {describe(result)}"
    )
    acc = expect_float(result[0], f"the accuracy returned by {call}")
    loss = expect_float(result[1], f"the loss returned by {call}")
    want_acc, want_loss = candidates["per image"]
    assert any(math.isclose(acc, a, abs_tol=1e-6) for a, _ in candidates.values()), (
        f"{call} returned the accuracy {acc:.6g}; with these weights it is {want_acc:.6g}: the number of "
        "correct predictions (argmax of the logits equal to the label) divided by the number of images"
    )
    if any(math.isclose(loss, value, rel_tol=1e-4, abs_tol=1e-6) for _, value in candidates.values()):
        return
    hint = ""
    if loss > 3 * want_loss:
        hint = " (it looks like a sum over the batches: divide by the number of images)"
    raise AssertionError(
        f"{call} returned the loss {loss:.6g}; the mean cross-entropy per image with these weights is "
        f"{want_loss:.6g}{hint}. Add loss.item() * len(y) for every batch and divide by the number of images"
    )


@pytest.mark.points(2)
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
    candidates = _epoch_candidates(support.trusted(state, "the weights"), x, y)
    check_epoch_result(result, candidates, "test_epoch(model, loader, torch.nn.CrossEntropyLoss(), device)")
    after = support.canonical_state(model.state_dict())
    assert all(torch.equal(after[k], v) for k, v in state.items()), (
        "test_epoch changed the model's weights: evaluation must not train (no backward, no optimizer step)"
    )


@pytest.mark.points(1)
def test_test_epoch_eval_mode(submission, data_dir):
    """test_epoch puts the model in eval mode"""
    data = data_for(data_dir)
    model = support.worker_model(submission, support.fresh_state(4))
    model.call_method("train")
    loader = support.worker_loader(submission, support.worker_folder(data), train=False)
    loss_fn = support.worker_torch(submission).nn.CrossEntropyLoss()
    submission.test_epoch(model, loader, loss_fn, support.worker_device(submission, "cpu"))
    assert model.training is False, (
        "after test_epoch the model is still in training mode: call model.eval() at the start of test_epoch "
        "(and model.train() at the start of train_epoch). Layers such as dropout and batch normalisation "
        "behave differently in the two modes"
    )


# --- the submitted checkpoint -----------------------------------------------------------------


@pytest.mark.points(1)
def test_checkpoint_is_a_state_dict(student_files):
    """mnist_mlp.pt is a state dict of MultiLayerPerceptron, readable with weights_only=True"""
    support.trusted_from_checkpoint(student_files.path(CHECKPOINT))


@pytest.mark.points(5)
def test_checkpoint_accuracy(student_files, data_dir, plots):
    """the checkpoint's accuracy on the test images, lightly perturbed"""
    data = data_for(data_dir)
    model = support.trusted_from_checkpoint(student_files.path(CHECKPOINT))
    predicted = support.predictions(model, support.perturbed(data.test_x))
    counts = support.confusion(data.test_y, predicted)
    acc = float((predicted == data.test_y).double().mean())
    clean = support.accuracy(model, data.test_x, data.test_y)
    plots.add(
        support.confusion_chart(counts, f"{CHECKPOINT} on the perturbed test images"),
        caption=(
            f"Accuracy {acc:.2%} on {data.test_label}, lightly perturbed (as given: {clean:.2%}). "
            "Row: the true digit; column: the digit the model predicted."
        ),
    )
    full = data.source.kind != "offline-subset"
    threshold = CHECKPOINT_ACCURACY_FULL if full else CHECKPOINT_ACCURACY_SUBSET
    assert acc >= threshold, (
        f"{CHECKPOINT} classifies {acc:.2%} of {data.test_label} correctly (lightly perturbed: each image a little "
        f"dimmer, with a little noise; {clean:.2%} as given); at least {threshold:.0%} is required on {data.label}. "
        "Train with the lecture's recipe (30 epochs, batches of 128, Adam with lr 0.001, cross-entropy) on the "
        "training images and save model.state_dict()"
    )


# --- train ------------------------------------------------------------------------------------


@pytest.mark.points(3)
def test_short_training_accuracy(submission, data_dir, plots):
    """a short train(epochs=1, limit=2000) reaches a good accuracy on the judge's test images"""
    data = data_for(data_dir)
    root = support.worker_folder(data)
    model, _ = support.run_train(
        submission, root, epochs=1, limit=SHORT_LIMIT, seed=0, device=grading_device(submission)
    )
    trained = support.trusted(model.state_dict(), "the model returned by train")
    predicted = support.predictions(trained, data.test_x)
    acc = float((predicted == data.test_y).double().mean())
    plots.add(
        support.confusion_chart(support.confusion(data.test_y, predicted), f"train(epochs=1, limit={SHORT_LIMIT})"),
        caption=f"The returned model's accuracy on {data.test_label}: {acc:.2%}.",
    )
    assert acc >= SHORT_ACCURACY, (
        f"after train(root, epochs=1, limit={SHORT_LIMIT}, seed=0) the model classifies {acc:.2%} of "
        f"{data.test_label} correctly; one epoch of the lecture's recipe reaches at least {SHORT_ACCURACY:.0%}. "
        "Use torch.nn.CrossEntropyLoss() on the logits (not a squared error on the class indices, no softmax "
        "before it), Adam with lr, and zero_grad, backward, step for every batch"
    )


@pytest.mark.points(2)
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
            caption=f"The history {call} returned; its test split: {support.VALIDATION:,} training images of "
            f"{data.label}.",
        )
    for key in support.HISTORY_KEYS:
        low, high = (0.0, 1.0) if key.endswith("acc") else (0.0, math.inf)
        assert all(low <= v <= high for v in history[key]), (
            f'history["{key}"] of {call} holds {history[key]}; accuracies are fractions between 0 and 1, '
            "losses are not negative"
        )
    x, y = support.validation(data)
    trained = support.trusted(model.state_dict(), "the model returned by train")
    candidates = _epoch_candidates(trained, x, y)
    got = (history["test_acc"][-1], history["test_loss"][-1])
    want_acc, want_loss = candidates["per image"]
    assert any(math.isclose(got[0], a, abs_tol=1e-6) for a, _ in candidates.values()), (
        f'history["test_acc"][-1] of {call} is {got[0]:.4g}, but the returned model classifies {want_acc:.4g} of '
        "the test split correctly: record test_epoch's accuracy after every epoch, for the model train returns"
    )
    assert any(math.isclose(got[1], loss, rel_tol=1e-3, abs_tol=1e-5) for _, loss in candidates.values()), (
        f'history["test_loss"][-1] of {call} is {got[1]:.4g}, but the mean cross-entropy of the returned model\'s '
        f"logits on the test split is {want_loss:.4g}. Train and evaluate with torch.nn.CrossEntropyLoss() on the "
        "logits: not a squared error on the class indices (the lecture's loss_mse), and no softmax before it"
    )


@pytest.mark.points(2)
def test_training_on_the_gpu(submission, data_dir):
    """on a CUDA machine, train runs on the GPU it is given: the model's parameters are there afterwards"""
    if not support.cuda_available():
        pytest.skip(
            "no CUDA device on the grading machine, so train was not run on a GPU; these points are not counted"
        )
    data = data_for(data_dir)
    cuda = support.worker_device(submission, "cuda")
    model, _ = support.run_train(submission, support.worker_folder(data), epochs=1, limit=500, seed=0, device=cuda)
    worker_cuda = support.worker_torch(submission).cuda
    on_gpu = worker_cuda.memory_allocated()
    model.call_method("cpu")
    moved = on_gpu - worker_cuda.memory_allocated()
    size = sum(v.numel() * v.element_size() for v in support.fresh_state(0).values())
    assert moved >= 0.99 * size, (
        f'after train(root, device=torch.device("cuda")) the model\'s parameters are not on the GPU: moving the '
        f"model to the CPU freed {moved:,} bytes of GPU memory, its parameters take {size:,}. Build the model and "
        "move it with .to(device) for the device train is given"
    )
