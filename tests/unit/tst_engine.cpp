// The engine's command interface: parameter changes and new experiments answer with a verdict,
// a session is restored into one experiment the engine owns, the state is captured between
// steps, and the result of training does not depend on the engine's thread count.
#include "core/common/param_error.hpp"
#include "core/experiment/engine.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <future>
#include <mutex>
#include <string>
#include <vector>

using namespace cbl;

namespace {

ExperimentConfig small_config() {
    ExperimentConfig c = load_preset("mca-pcm");
    c.network.layers = {785, 32, 10};
    c.dataset.source = "synthetic";
    // Limits, not synthetic_train/test: a session's config keeps only the limits.
    c.dataset.train_limit = 120;
    c.dataset.test_limit = 40;
    c.training.epochs = 2;
    return c;
}

/// Waits for the verdict of a command.
struct VerdictWaiter {
    std::shared_ptr<std::promise<ParameterVerdict>> promise =
        std::make_shared<std::promise<ParameterVerdict>>();
    std::future<ParameterVerdict> future = promise->get_future();
    VerdictCallback callback() {
        return [p = promise](const ParameterVerdict& v) { p->set_value(v); };
    }
    ParameterVerdict get() { return future.get(); }
};

/// Trains `images` more images and waits until the engine has paused after them.
void train(Engine& engine, int images) {
    const std::uint64_t target = engine.snapshot()->step + images;
    engine.step_images(images);
    do
        engine.sync();
    while (engine.snapshot()->running ||
           (engine.snapshot()->step < target && !engine.snapshot()->finished));
}

/// Trains `images` images on an engine of `threads` threads and returns its state.
ExperimentState trained(int threads, int images) {
    Engine engine(threads);
    VerdictWaiter loaded;
    engine.load(small_config(), nullptr, loaded.callback());
    if (!loaded.get().accepted) return {};
    train(engine, images);
    return engine.capture_state().get().state;
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void parameterVerdicts() {
        Engine engine;
        VerdictWaiter none;
        engine.set_parameter("scheme.eps", 0.05, none.callback());
        QVERIFY(!none.get().accepted); // nothing loaded yet

        VerdictWaiter loaded;
        engine.load(small_config(), nullptr, loaded.callback());
        QVERIFY(loaded.get().accepted);

        VerdictWaiter hot;
        engine.set_parameter("scheme.eps", 0.05, hot.callback());
        const ParameterVerdict h = hot.get();
        QVERIFY2(h.accepted, h.message.c_str());
        QVERIFY(h.message.empty());
        engine.sync();
        QCOMPARE(engine.snapshot()->config.scheme.eps, 0.05);
        QVERIFY(!engine.snapshot()->events.empty());

        VerdictWaiter structural;
        engine.set_parameter("network.layers", nlohmann::json::array({785, 16, 10}),
                             structural.callback());
        const ParameterVerdict s = structural.get();
        QVERIFY(!s.accepted);
        QVERIFY2(s.message.find("network.layers") != std::string::npos, s.message.c_str());
        engine.sync();
        QCOMPARE(engine.snapshot()->error, s.message);
    }

    void configVerdicts() {
        Engine engine;
        VerdictWaiter loaded;
        engine.load(small_config(), nullptr, loaded.callback());
        QVERIFY(loaded.get().accepted);

        ExperimentConfig bad = small_config();
        bad.network.layers = {100, 10}; // the images have 784 pixels
        VerdictWaiter check;
        engine.check_config(bad, check.callback());
        const ParameterVerdict c = check.get();
        QVERIFY(!c.accepted);
        QVERIFY2(c.message.find("network.layers") != std::string::npos, c.message.c_str());
        VerdictWaiter good;
        engine.check_config(small_config(), good.callback());
        QVERIFY(good.get().accepted);

        // A load that cannot build keeps the experiment that runs.
        train(engine, 7);
        VerdictWaiter refused;
        engine.load(bad, nullptr, refused.callback());
        QVERIFY(!refused.get().accepted);
        engine.sync();
        QCOMPARE(engine.snapshot()->step, std::uint64_t(7));
        QCOMPARE(engine.snapshot()->layers.size(), std::size_t(2));
    }

    void loadingIsShownWhileAnExperimentBuilds() {
        // Issue 18: the seconds a dataset and its devices take to build are named in the
        // snapshot (the window shows them), and the name goes once the experiment stands.
        Engine engine;
        std::mutex m;
        std::vector<std::string> seen;
        engine.set_publisher([&] {
            const std::string l = engine.snapshot()->loading;
            std::lock_guard lock(m);
            seen.push_back(l);
        });
        VerdictWaiter loaded;
        engine.load(small_config(), nullptr, loaded.callback());
        QVERIFY(loaded.get().accepted);
        engine.sync();
        VerdictWaiter again; // same data: only the experiment is built
        engine.load(small_config(), nullptr, again.callback());
        QVERIFY(again.get().accepted);
        engine.sync();
        engine.set_publisher({});
        const std::vector<std::string> expected = {"Loading synthetic and building mca-pcm",
                                                   "Building mca-pcm"};
        std::vector<std::string> shown;
        for (const std::string& l : seen)
            if (!l.empty() && (shown.empty() || shown.back() != l)) shown.push_back(l);
        QCOMPARE(shown, expected);
        QCOMPARE(engine.snapshot()->loading, std::string());
    }

    void captureWithoutExperiment() {
        Engine engine;
        QVERIFY_THROWS_EXCEPTION(InputError, engine.capture_state().get());
    }

    void restoreContinuesExactly() {
        // 50 images straight equal 20 images, a capture, a restore and 30 more.
        const ExperimentState straight = trained(0, 50);
        Engine engine;
        {
            Engine first;
            VerdictWaiter loaded;
            first.load(small_config(), nullptr, loaded.callback());
            QVERIFY(loaded.get().accepted);
            train(first, 20);
            ExperimentState st = first.capture_state().get().state;
            QCOMPARE(st.step, std::uint64_t(20));
            VerdictWaiter restored;
            engine.restore(std::move(st), nullptr, restored.callback());
            const ParameterVerdict v = restored.get();
            QVERIFY2(v.accepted, v.message.c_str());
        }
        engine.sync();
        QCOMPARE(engine.snapshot()->step, std::uint64_t(20));
        train(engine, 30);
        const ExperimentState resumed = engine.capture_state().get().state;
        QCOMPARE(resumed.step, std::uint64_t(50));
        QVERIFY(resumed.arrays == straight.arrays);

        // A state that cannot build is refused; the experiment stays.
        ExperimentState broken = resumed;
        std::erase_if(broken.arrays, [](const auto& a) { return a.first.starts_with("layer_0/"); });
        VerdictWaiter refused;
        engine.restore(std::move(broken), nullptr, refused.callback());
        QVERIFY(!refused.get().accepted);
        engine.sync();
        QCOMPARE(engine.snapshot()->step, std::uint64_t(50));
    }

    void deepRlRunPlaysInTheEngine() {
        // A task = rl config makes a DQN run: steps are environment steps, an "epoch" an
        // episode; it plays the same episodes as the CLI's whole-episode loop, and a capture
        // mid-episode plays that episode out first.
        ExperimentConfig c = load_preset("time-rram-dqn");
        c.rl.episodes = 6;
        c.rl.warmup_steps = 100;
        c.rl.hidden = {16, 16};
        RlRun reference(c);
        while (!reference.finished())
            reference.run_episode();

        Engine engine;
        VerdictWaiter loaded;
        engine.load(c, nullptr, loaded.callback());
        const ParameterVerdict v = loaded.get();
        QVERIFY2(v.accepted, v.message.c_str());
        engine.step_images(7); // mid-episode: a cart-pole episode lasts at least 8 steps
        do
            engine.sync();
        while (engine.snapshot()->running);
        SnapshotPtr s = engine.snapshot();
        QVERIFY(s->rl.has_value());
        QCOMPARE(s->step, std::uint64_t(7));
        QCOMPARE(s->rl->episode_steps, 7);
        QCOMPARE(s->rl->environment, std::string("cartpole"));
        QCOMPARE(int(s->rl->q_values.size()), 2);
        QCOMPARE(s->layers.size(), std::size_t(3));
        QVERIFY(s->layers[0].g_plus_uS.size() > 0); // RRAM tiles: conductances to draw
        const CapturedState captured = engine.capture_state().get();
        QCOMPARE(captured.dataset, std::string("no dataset: cartpole"));
        engine.sync();
        QCOMPARE(engine.snapshot()->rl->episode_rewards.size(), std::size_t(1));
        QCOMPARE(engine.snapshot()->rl->episode_steps, 0);

        // A live change is refused with a reason; play on to the budget.
        VerdictWaiter refused;
        engine.set_parameter("training.optimizer.learning_rate", 0.01, refused.callback());
        QVERIFY(!refused.get().accepted);
        engine.play();
        do
            engine.sync();
        while (engine.snapshot()->running);
        s = engine.snapshot();
        QVERIFY(s->finished);
        QCOMPARE(s->rl->episode_rewards, reference.agent().episode_rewards());
        QCOMPARE(s->epochs_done, 6);
        // The heatmaps' pulse counts cover one episode: the last one's end restarted them.
        std::uint64_t pulses = 0;
        for (const EpochMetrics& m : s->rl->episode_updates)
            for (std::uint64_t p : m.device_updates)
                pulses += p;
        QVERIFY(pulses > 0);
        for (const LayerPicture& p : s->layers)
            QCOMPARE(p.pulses_epoch.sum(), 0.f);
    }

    void ganRunsLikeAnyRun() {
        // A GAN (task = gan, seed 002 Fig. 4G-I) plays, steps and resets as a supervised run; its
        // snapshots carry the generated digits (now and at each epoch's end), the Fréchet
        // distance per epoch and G's then D's matrices. It takes no live changes (refused with a
        // line that says so); it is captured and restored as a session (in full: tst_gan_session).
        QTemporaryDir cache; // the FD's feature classifier of these synthetic digits lands here
        qputenv("CROSSBARLAB_CACHE_HOME", cache.path().toUtf8());
        ExperimentConfig c = load_preset("mca-pcm-gan");
        c.dataset.source = "synthetic";
        c.dataset.train_limit = 300;
        c.dataset.test_limit = 100;
        c.gan.batch_size = 20;
        c.gan.fd_samples = 60;
        c.training.epochs = 2;
        Engine engine;
        VerdictWaiter loaded;
        engine.load(c, nullptr, loaded.callback());
        const ParameterVerdict v = loaded.get();
        QVERIFY2(v.accepted, v.message.c_str());
        engine.sync();
        SnapshotPtr s = engine.snapshot();
        QVERIFY(s->gan.has_value());
        QCOMPARE(s->epoch_size, 300); // 15 steps of 20 real images
        QCOMPARE(s->gan->generator_layers, int(c.gan.generator_hidden.size()) + 1);
        QCOMPARE(int(s->layers.size()),
                 s->gan->generator_layers + int(c.gan.discriminator_hidden.size()) + 1);
        QVERIFY(s->layers.front().g_plus_uS.size() > 0); // on PCM pairs
        QVERIFY(s->gan->samples && s->gan->samples->rows() == 28 * 28 &&
                s->gan->samples->cols() == GanRun::grid_images);
        QVERIFY(s->gan->frechet_distance.empty());

        // A step of 30 images trains two whole steps of 20 and stops.
        train(engine, 30);
        QCOMPARE(engine.snapshot()->step, std::uint64_t(40));
        QVERIFY(!engine.snapshot()->running);

        engine.step_epoch();
        do
            engine.sync();
        while (engine.snapshot()->running);
        s = engine.snapshot();
        QCOMPARE(s->epochs_done, 1);
        QCOMPARE(s->position, 0);
        QCOMPARE(s->step, std::uint64_t(300));
        QCOMPARE(s->gan->frechet_distance.size(), std::size_t(1));
        QVERIFY(std::isfinite(s->gan->frechet_distance[0]) && s->gan->frechet_distance[0] > 0);
        QCOMPARE(s->gan->epoch_samples.size(), std::size_t(1));
        QCOMPARE(s->gan->epoch_samples[0]->cols(), Eigen::Index(GanRun::grid_images));
        QVERIFY(s->gan->classifier_accuracy > 0 && !s->gan->classifier.empty());

        VerdictWaiter live;
        engine.set_parameter("training.optimizer.learning_rate", 0.05, live.callback());
        const ParameterVerdict l = live.get();
        QVERIFY(!l.accepted && l.message.find("GAN run") != std::string::npos);
        const CapturedState captured = engine.capture_state().get();
        QCOMPARE(captured.state.step, std::uint64_t(300));
        Engine other;
        VerdictWaiter restored;
        other.restore(captured.state, captured.data, restored.callback());
        const ParameterVerdict r = restored.get();
        QVERIFY2(r.accepted, r.message.c_str());
        other.sync();
        const SnapshotPtr o = other.snapshot();
        QVERIFY(o->gan.has_value());
        QCOMPARE(o->step, std::uint64_t(300));
        QCOMPARE(o->epochs_done, 1);
        QCOMPARE(o->gan->frechet_distance, s->gan->frechet_distance);

        engine.reset();
        engine.sync();
        QCOMPARE(engine.snapshot()->step, std::uint64_t(0));
        QVERIFY(engine.snapshot()->gan->frechet_distance.empty());
    }

    void threadCountDoesNotMatter() {
        const ExperimentState one = trained(1, 150);
        const ExperimentState two = trained(2, 150);
        QCOMPARE(one.step, std::uint64_t(150));
        QVERIFY(one.arrays == two.arrays);
        QCOMPARE(one.history.size(), two.history.size());
        QCOMPARE(one.history.front().test_accuracy, two.history.front().test_accuracy);
    }
};

QTEST_MAIN(TestEngine)
#include "tst_engine.moc"
