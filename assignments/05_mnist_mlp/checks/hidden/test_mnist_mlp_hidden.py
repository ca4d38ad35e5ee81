"""Hidden checks of assignment 5: run at grading time only, never shipped to students.

As in the public checks, every accuracy is measured in the judge; the student's process sees
training images only.
"""

import functools
import math

import mnist_support as support
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mnist_support import CHECKPOINT

from grader.checklib import Remote, describe, expect_float, say, title

# Per-digit accuracy of the submitted checkpoint on the perturbed test images (100 per digit on
# the offline subset, about 1,000 on full MNIST).
DIGIT_ACCURACY = 0.33
# Calibration (2026-11-23, torch 2.14.1 CPU; reference/05_mnist_mlp/calibrate.py full 0-4): over the
# same 105 late models and three perturbations as the public threshold, the worst digit is
# recognised 0.67 of the time (digit 2, seed 4, epoch 18; error 0.33); 0.33 allows an error of
# 0.67, a factor of 2.03. An untrained model or a lookup of the exact test images recognises at
# least one digit never.

# train(limit=LIMIT_LIMIT, epochs=1) on a training split whose images after the first LIMIT_LIMIT
# have wrong labels (each shifted by one): using only the first `limit` images, as train must,
# reaches LIMIT_ACCURACY on the judge's test images; training on all of them does not.
LIMIT_LIMIT, LIMIT_POISONED = 1000, 2000
LIMIT_ACCURACY = 0.50
# Calibration (2026-11-23, calibrate.py short 0-49): the reference with limit 1,000 and one epoch
# reaches 0.764-0.792 (worst seed 37: error 0.236); 0.50 allows 0.50, a factor of 2.12. The same
# run with the limit ignored reaches 0.045-0.054.


def data_for(data_dir):
    return support.judge_data(str(data_dir))


def grading_device(submission):
    return support.worker_device(submission, "cuda" if support.cuda_available() else "cpu")


@functools.lru_cache(maxsize=1)
def _checkpoint_model(path):
    return support.trusted_from_checkpoint(path)


# --- the model --------------------------------------------------------------------------------


@pytest.mark.points(1)
@title(ko="MultiLayerPerceptron이 input_dim, hidden_dim, output_dim 인자를 사용한다")
def test_constructor_dimensions(submission):
    """MultiLayerPerceptron uses its input_dim, hidden_dim and output_dim arguments"""
    model = submission.MultiLayerPerceptron(input_dim=20, hidden_dim=64, output_dim=3)
    shapes = {k: tuple(v.shape) for k, v in support.canonical_state(model.state_dict()).items()}
    want = support.expected_shapes(20, 64, 3)
    assert shapes == want, say(
        f"MultiLayerPerceptron(input_dim=20, hidden_dim=64, output_dim=3) has the parameters {shapes}; expected "
        f"{want}: build the layers from the arguments, not from 784, 1024 and 10",
        f"MultiLayerPerceptron(input_dim=20, hidden_dim=64, output_dim=3)의 파라미터는 {shapes}입니다. "
        f"{want}이어야 합니다. 784, 1024, 10이 아니라 인자로 받은 값으로 층을 만드세요",
    )
    out = model(torch.rand(4, 20))
    got = describe(out)
    assert type(out) is torch.Tensor and tuple(out.shape) == (4, 3), say(
        f"MultiLayerPerceptron(input_dim=20, hidden_dim=64, output_dim=3) must map (4, 20) to (4, 3), got {got}",
        "MultiLayerPerceptron(input_dim=20, hidden_dim=64, output_dim=3)은 (4, 20)을 (4, 3)으로 바꿔야 합니다. 받은 "
        f"값: {got}",
    )


@pytest.mark.points(2)
@title(ko="load_model의 forward가 임의의 이미지에서 정해진 구조와 일치한다 (속성 기반)")
def test_forward_matches_on_random_inputs(submission, student_files):
    """load_model's forward agrees with the prescribed architecture on random images (property-based)"""
    trusted = _checkpoint_model(student_files.path(CHECKPOINT))
    model = submission.load_model(CHECKPOINT)
    assert isinstance(model, Remote) and model.is_callable, say(
        f'load_model("{CHECKPOINT}") must return the MultiLayerPerceptron holding the saved weights, '
        f"got {describe(model)}",
        f'load_model("{CHECKPOINT}")은(는) 저장된 가중치를 담은 MultiLayerPerceptron을 반환해야 합니다. '
        f"받은 값: {describe(model)}",
    )

    @settings(max_examples=30)
    @given(x=arrays(np.float32, st.tuples(st.integers(1, 16), st.just(784)), elements=st.floats(0, 1, width=32)))
    def agrees(x):
        images = torch.from_numpy(x).reshape(-1, 1, 28, 28)
        got = model(images)
        assert type(got) is torch.Tensor and tuple(got.shape) == (len(x), 10), say(
            f'load_model("{CHECKPOINT}")(x) must return logits of shape ({len(x)}, 10), got {describe(got)}',
            f'load_model("{CHECKPOINT}")(x)은(는) 모양이 ({len(x)}, 10)인 로짓을 반환해야 합니다. '
            f"받은 값: {describe(got)}",
        )
        want = support.logits(trusted, images)
        worst = float((got - want).abs().max())
        assert worst <= 1e-3 + 1e-4 * float(want.abs().max()), say(
            f'load_model("{CHECKPOINT}")(x) differs by {worst:.4g} from the prescribed architecture holding the '
            "weights of the checkpoint: load the saved state dict into MultiLayerPerceptron(), and keep forward "
            "to self.model(x flattened)",
            f'load_model("{CHECKPOINT}")(x)이(가) 체크포인트의 가중치를 담은 정해진 구조와 {worst:.4g}만큼 다릅니다. '
            "저장된 state dict를 MultiLayerPerceptron()에 불러오고, forward는 self.model(x를 펼친 것)으로 두세요",
        )

    agrees()


@pytest.mark.points(2)
@title(ko="체크포인트가 모든 숫자를 알아본다")
def test_checkpoint_every_digit(student_files, data_dir):
    """the checkpoint recognises every digit"""
    data = data_for(data_dir)
    model = _checkpoint_model(student_files.path(CHECKPOINT))
    counts = support.confusion(data.test_y, support.predictions(model, support.perturbed(data.test_x)))
    accuracies = support.per_digit_accuracy(counts)
    worst = min(range(10), key=lambda d: accuracies[d])
    assert accuracies[worst] >= DIGIT_ACCURACY, say(
        f"{CHECKPOINT} recognises the digit {worst} in only {accuracies[worst]:.0%} of its {sum(counts[worst])} "
        f"images among {data.test_label} (lightly perturbed); every digit must be recognised at least "
        f"{DIGIT_ACCURACY:.0%} of the time",
        f"{CHECKPOINT}이(가) {data.test_label}(약간 변형) 중 숫자 {worst}의 이미지 {sum(counts[worst])}장에서 "
        f"{accuracies[worst]:.0%}만 알아봅니다. 모든 숫자를 {DIGIT_ACCURACY:.0%} 이상 알아봐야 합니다",
    )


# --- the data ---------------------------------------------------------------------------------


@pytest.mark.points(1)
@title(ko="load_mnist가 root에서 torchvision의 MNIST를 읽는다: 이미지는 [0, 1] 범위의 텐서, 레이블은 int")
def test_load_mnist(submission, data_dir):
    """load_mnist reads torchvision's MNIST from root: images as tensors in [0, 1], labels as ints"""
    data = data_for(data_dir)
    root = support.worker_folder(data)
    for train, size in ((True, support.POOL), (False, support.VALIDATION)):
        dataset = submission.load_mnist(root, train=train)
        call = f"load_mnist(root, train={train})"
        assert isinstance(dataset, Remote), say(
            f"{call} must return the torchvision MNIST data set, got {describe(dataset)}",
            f"{call}은(는) torchvision의 MNIST 데이터셋을 반환해야 합니다. 반환값: {describe(dataset)}",
        )
        length = dataset.call_method("__len__")
        assert length == size, say(
            f"{call} holds {length} images; the folder root holds {size} for this split",
            f"{call}에 이미지가 {length}장 있습니다. 이 분할에서 root 폴더에는 {size}장이 있습니다",
        )
        index = 17
        item = dataset.call_method("__getitem__", index)
        assert type(item) is tuple and len(item) == 2, say(
            f"{call}[{index}] must be (image, label), got {describe(item)}",
            f"{call}[{index}]은(는) (이미지, 레이블)이어야 합니다. 받은 값: {describe(item)}",
        )
        image, label = item
        offset = 0 if train else support.POOL
        want = support.as_inputs(data.train_images[offset + index : offset + index + 1])[0]
        assert type(image) is torch.Tensor and tuple(image.shape) == (1, 28, 28) and torch.equal(image, want), say(
            f"{call}[{index}] must give the image as the (1, 28, 28) float tensor ToTensor() makes of it (values in "
            f"[0, 1]), got {describe(image)}: pass transform=ToTensor() to datasets.MNIST",
            f"{call}[{index}]은(는) 이미지를 ToTensor()가 만드는 (1, 28, 28) float 텐서(값은 [0, 1])로 "
            f"주어야 합니다. 받은 값: {describe(image)}. datasets.MNIST에 transform=ToTensor()를 넘기세요",
        )
        assert type(label) is int and label == int(data.train_labels[offset + index]), say(
            f"{call}[{index}] must give the label as an int, got {describe(label)}",
            f"{call}[{index}]은(는) 레이블을 int로 주어야 합니다. 받은 값: {describe(label)}",
        )


# --- train_epoch ------------------------------------------------------------------------------


@pytest.mark.points(2)
@title(ko="train_epoch가 배치마다 옵티마이저 step을 한 번 하고, 에포크의 정확도와 평균 손실을 반환한다")
def test_train_epoch_steps(submission, data_dir):
    """train_epoch takes one optimizer step per batch and returns the epoch's accuracy and mean loss"""
    data = data_for(data_dir)
    state = support.fresh_state(8)
    root = support.worker_folder(data, clean=200)
    model = support.worker_model(submission, state)
    worker_torch = support.worker_torch(submission)
    optimizer = worker_torch.optim.Adam(model.call_method("parameters"), lr=1e-3)
    loss_fn = worker_torch.nn.CrossEntropyLoss()
    loader = support.worker_loader(submission, root, train=True)
    call = "train_epoch(model, loader, Adam(lr=0.001), torch.nn.CrossEntropyLoss(), device)"
    result = submission.train_epoch(model, loader, optimizer, loss_fn, support.worker_device(submission, "cpu"))

    # The same epoch in the judge: 200 images in batches of 128 and 72.
    trusted = support.trusted(state, say("the weights", "가중치")).train()
    adam = torch.optim.Adam(trusted.parameters(), lr=1e-3)
    x, y = support.as_inputs(data.train_images[:200]), torch.from_numpy(data.train_labels[:200])
    hits, losses, sizes = [], [], []
    for xb, yb in zip(x.split(128), y.split(128)):
        out = trusted(xb)
        cost = torch.nn.functional.cross_entropy(out, yb)
        adam.zero_grad()
        cost.backward()
        adam.step()
        hits.append(int((out.argmax(dim=1) == yb).sum()))
        losses.append(float(cost))
        sizes.append(len(yb))
    candidates = [
        (sum(hits) / 200, sum(c * n for c, n in zip(losses, sizes)) / 200),
        (sum(h / n for h, n in zip(hits, sizes)) / 2, sum(losses) / 2),
    ]
    assert type(result) is tuple and len(result) == 2, say(
        f"{call} must return (accuracy, mean loss), got {describe(result)}",
        f"{call}은(는) (정확도, 평균 손실)을 반환해야 합니다. 반환값: {describe(result)}",
    )
    acc = expect_float(result[0], say(f"the accuracy returned by {call}", f"{call}이(가) 반환한 정확도"))
    loss = expect_float(result[1], say(f"the loss returned by {call}", f"{call}이(가) 반환한 손실"))
    assert any(math.isclose(acc, a, abs_tol=1e-6) for a, _ in candidates) and any(
        math.isclose(loss, c, rel_tol=1e-4) for _, c in candidates
    ), say(
        f"{call} over 200 images returned ({acc:.6g}, {loss:.6g}); expected ({candidates[0][0]:.6g}, "
        f"{candidates[0][1]:.6g}): the accuracy of the predictions made during the epoch and the mean loss per "
        "image, each batch's prediction taken before its optimizer step",
        f"이미지 200장에 대해 {call}이(가) ({acc:.6g}, {loss:.6g})을(를) 반환했습니다. ({candidates[0][0]:.6g}, "
        f"{candidates[0][1]:.6g})이(가) 나와야 합니다. 에포크 동안 한 예측의 정확도와 이미지당 평균 손실이며, "
        "각 배치의 예측은 그 배치의 옵티마이저 step 전에 한 것입니다",
    )
    after = support.canonical_state(model.state_dict())
    want = trusted.state_dict()
    worst = max(float((after[k] - want[k]).abs().max()) for k in want)
    assert worst <= 1e-5, say(
        f"after {call} the weights differ by up to {worst:.3g} from one Adam step per batch on the loss it is "
        "given: for every batch, pred = model(X); loss = loss_fn(pred, y); optimizer.zero_grad(); "
        "loss.backward(); optimizer.step()",
        f"{call} 후 가중치가, 주어진 손실로 배치마다 Adam step을 한 번씩 한 결과와 최대 {worst:.3g}만큼 다릅니다. "
        "배치마다 pred = model(X); loss = loss_fn(pred, y); optimizer.zero_grad(); "
        "loss.backward(); optimizer.step()을 하세요",
    )


@pytest.mark.points(1)
@title(ko="CUDA가 있는 컴퓨터에서 test_epoch가 GPU의 모델과 CPU의 배치로 동작한다")
def test_test_epoch_on_the_gpu(submission, data_dir):
    """on a CUDA machine, test_epoch works with the model on the GPU and the loader's batches on the CPU"""
    if not support.cuda_available():
        pytest.skip(
            say(
                "no CUDA device on the grading machine, so test_epoch was not run on a GPU; these points are not "
                "counted",
                "채점 컴퓨터에 CUDA 장치가 없어서 test_epoch를 GPU에서 실행하지 않았습니다. 이 점수는 계산에 넣지 "
                "않습니다",
            )
        )
    data = data_for(data_dir)
    state = support.fresh_state(6)
    cuda = support.worker_device(submission, "cuda")
    model = support.worker_model(submission, state)
    model.call_method("to", cuda)
    loader = support.worker_loader(submission, support.worker_folder(data), train=False)
    loss_fn = support.worker_torch(submission).nn.CrossEntropyLoss()
    result = submission.test_epoch(model, loader, loss_fn, cuda)
    x, y = support.validation(data)
    want = support.accuracy(support.trusted(state, say("the weights", "가중치")), x, y)
    assert type(result) is tuple and len(result) == 2, say(
        f"test_epoch must return (accuracy, mean loss), got {describe(result)}",
        f"test_epoch는 (정확도, 평균 손실)을 반환해야 합니다. 반환값: {describe(result)}",
    )
    acc = expect_float(
        result[0], say("the accuracy returned by test_epoch on the GPU", "GPU에서 test_epoch가 반환한 정확도")
    )
    assert abs(acc - want) <= 2e-3, say(
        f"test_epoch on the GPU returned the accuracy {acc:.4g}; expected {want:.4g}",
        f"GPU에서 test_epoch가 정확도 {acc:.4g}을(를) 반환했습니다. {want:.4g}이(가) 나와야 합니다",
    )


# --- train ------------------------------------------------------------------------------------


@pytest.mark.points(2)
@title(ko="train(limit=...)이 처음 `limit`장의 학습 이미지로만 학습한다")
def test_training_respects_limit(submission, data_dir):
    """train(limit=...) trains on the first `limit` training images only"""
    data = data_for(data_dir)
    root = support.worker_folder(data, clean=LIMIT_LIMIT, poisoned=LIMIT_POISONED)
    model, _ = support.run_train(
        submission, root, epochs=1, limit=LIMIT_LIMIT, seed=1, device=grading_device(submission)
    )
    trained = support.trusted(model.state_dict(), say("the model returned by train", "train이 반환한 모델"))
    acc = support.accuracy(trained, data.test_x, data.test_y)
    assert acc >= LIMIT_ACCURACY, say(
        f"after train(root, epochs=1, limit={LIMIT_LIMIT}, seed=1) the model classifies only {acc:.2%} of "
        f"{data.test_label} correctly (at least {LIMIT_ACCURACY:.0%} expected). In this check the training images "
        f"after the first {LIMIT_LIMIT} carry wrong labels: train must use only the first `limit` images "
        "(torch.utils.data.Subset(data, range(limit)))",
        f"train(root, epochs=1, limit={LIMIT_LIMIT}, seed=1) 후 모델이 {data.test_label} 중 {acc:.2%}만 맞게 "
        f"분류합니다 ({LIMIT_ACCURACY:.0%} 이상이어야 합니다). 이 검사에서는 처음 {LIMIT_LIMIT}장 뒤의 학습 이미지에 "
        "틀린 레이블이 붙어 있습니다. train은 처음 `limit`장만 써야 합니다 (torch.utils.data.Subset(data, "
        "range(limit)))",
    )


@pytest.mark.points(1)
@title(ko="train이 같은 seed면 같은 모델과 history를, 다른 seed면 다른 결과를 낸다")
def test_training_reproducible(submission, data_dir):
    """train gives the same model and history for the same seed, others for another seed"""
    root = support.worker_folder(data_for(data_dir))
    device = grading_device(submission)
    first_model, first = support.run_train(submission, root, epochs=1, limit=500, seed=5, device=device)
    second_model, second = support.run_train(submission, root, epochs=1, limit=500, seed=5, device=device)
    assert first == second, say(
        "two runs of train(root, epochs=1, limit=500, seed=5) gave different histories: call "
        "torch.manual_seed(seed) at the start of train",
        "train(root, epochs=1, limit=500, seed=5)을 두 번 실행했더니 history가 달랐습니다. train을 시작할 때 "
        "torch.manual_seed(seed)를 호출하세요",
    )
    a, b = (support.canonical_state(m.state_dict()) for m in (first_model, second_model))
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a), say(
        "two runs of train(root, epochs=1, limit=500, seed=5) gave different weights",
        "train(root, epochs=1, limit=500, seed=5)을 두 번 실행했더니 가중치가 달랐습니다",
    )
    _, other = support.run_train(submission, root, epochs=1, limit=500, seed=6, device=device)
    assert other != first, say(
        "train gave the same history with seeds 5 and 6: the seed argument must be used",
        "train이 seed 5와 6에서 같은 history를 냈습니다. seed 인자를 실제로 사용해야 합니다",
    )
