"""Whole trainings, as the lessons run them: they must learn, and repeat exactly."""

import tracemalloc

import numpy as np

import course
from course.layers import Dense


def two_classes(n=360, d=64, noise=0.9, seed=0):
    """Two clouds of n/2 points each around random centres in [0, 1]^d (like 8x8 digits)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = rng.uniform(0, 1, size=(2, d))
    x = centres[y] + noise * rng.normal(size=(n, d))
    return x.astype(np.float32), y.astype(np.float32)


def wine_like(n=1119, d=11, seed=0):
    """A regression target around 5.6 (like a taste score) from d measurements."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = (5.6 + 0.5 * x[:, 0] - 0.4 * x[:, 1] * x[:, 2] + 0.3 * np.tanh(x[:, 3])
         + 0.3 * rng.normal(size=n))
    return x.astype(np.float32), y.astype(np.float32)


def sigmoid_classifier():
    return course.Sequential([Dense(25, activation="sigmoid", input_shape=(64,)),
                              Dense(15, activation="sigmoid"),
                              Dense(1, activation="sigmoid")])


def wide_relu_regressor():
    return course.Sequential([Dense(512, activation="relu", input_shape=(11,)),
                              Dense(512, activation="relu"),
                              Dense(512, activation="relu"),
                              Dense(1)])


def test_a_25_15_1_sigmoid_network_separates_two_classes():
    x, y = two_classes()
    course.set_random_seed(0)
    model = sigmoid_classifier()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] >= 0.98
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy >= 0.98
    assert loss < history.history["loss"][0] / 3


def test_the_lessons_network_learns_the_real_handwritten_digits():
    digits = course.data.load_digits01()
    x = (digits.data / 16).astype(np.float32)            # pixels 0..16 scaled to 0..1
    y = digits.target.astype(np.float32)
    course.set_random_seed(0)
    model = sigmoid_classifier()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy >= 0.98
    assert history.history["loss"][-1] < history.history["loss"][0] / 3


def test_a_wide_relu_network_lowers_training_and_validation_mae():
    x, y = wine_like()
    course.set_random_seed(0)
    model = wide_relu_regressor()
    model.compile(optimizer="adam", loss="mae")
    history = model.fit(x, y, batch_size=256, epochs=10, validation_split=0.2, verbose=0)
    loss, val_loss = history.history["loss"], history.history["val_loss"]
    assert loss[-1] < 0.5 * loss[0]
    assert val_loss[-1] < 0.75 * val_loss[0]


def test_a_seeded_training_repeats_bit_for_bit():
    x, y = two_classes()

    def train():
        course.set_random_seed(42)
        model = sigmoid_classifier()
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
        return history.history, model.get_weights(), model.predict(x)

    first, second = train(), train()
    assert first[0] == second[0]
    for a, b in zip(first[1] + [first[2]], second[1] + [second[2]]):
        assert np.array_equal(a, b)


def test_the_wide_network_trains_in_well_under_200_megabytes():
    x, y = wine_like()
    course.set_random_seed(0)
    model = wide_relu_regressor()
    model.compile(optimizer="adam", loss="mae")
    tracemalloc.start()
    try:
        model.fit(x, y, batch_size=256, epochs=2, verbose=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
