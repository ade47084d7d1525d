// GAN runs as sessions: a GanRun saved at a step boundary (mid-epoch or at an epoch's end),
// written to a session file, loaded and trained on is the run that never stopped, in full
// precision and with MCA on PCM (chi, drift, refresh), at 1 or 2 threads; a damaged or truncated
// GAN session is refused with one line naming what is wrong.
#include "core/experiment/gan_run.hpp"
#include "core/session/session_file.hpp"

#include <QTemporaryDir>
#include <QtTest>

#include <tbb/global_control.h>

#include <filesystem>

using namespace cbl;

namespace {

/// A tiny GAN on 120 synthetic training images: 12 alternating steps of 10 per epoch.
ExperimentConfig small_gan(const std::string& preset) {
    ExperimentConfig c = load_preset(preset);
    c.dataset.source = "synthetic";
    c.dataset.synthetic_train = 120;
    c.dataset.synthetic_test = 60;
    c.gan.noise_size = 8;
    c.gan.generator_hidden = {16};
    c.gan.discriminator_hidden = {8};
    c.gan.batch_size = 10;
    c.gan.fd_samples = 40;
    c.training.epochs = 3;
    return c;
}

/// Trains `steps` alternating steps, across epoch ends.
void train(GanRun& run, int steps) {
    while (steps > 0 && !run.finished())
        steps -= run.train(steps);
}

void finish(GanRun& run) {
    while (!run.finished())
        run.train(run.steps_per_epoch());
}

/// The state without the wall-clock times, which differ from run to run.
StateArrays timeless(const GanRun& run) {
    StateArrays a = run.state().arrays;
    a.erase("gan/epoch_wall_seconds");
    a.erase(std::string(GanRun::history_prefix) + "wall_seconds");
    return a;
}

/// `load` must refuse with one line holding every one of `needles`.
template <typename Load>
void refuses(Load load, const std::vector<std::string>& needles) {
    try {
        load();
        QFAIL(
            qPrintable(QString::fromStdString("loaded although " + needles.back() + " is broken")));
    } catch (const InputError& e) {
        const std::string m = e.what();
        for (const std::string& n : needles)
            QVERIFY2(m.find(n) != std::string::npos, e.what());
        QVERIFY2(m.find('\n') == std::string::npos, e.what());
    }
}

} // namespace

class TestGanSession : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::shared_ptr<const DataSplit> data_;

    std::string path(const std::string& name) const {
        return dir_.filePath(name.c_str()).toStdString();
    }

  private Q_SLOTS:
    void initTestCase() {
        // The FD's feature classifier of these synthetic digits is trained once, in here.
        qputenv("CROSSBARLAB_CACHE_HOME", dir_.path().toUtf8());
        data_ = std::make_shared<const DataSplit>(load_dataset(small_gan("fp32-gan").dataset));
    }

    void continuesExactly_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("saveAfter"); // alternating steps before the save (12 an epoch)
        QTest::addColumn<int>("wholeThreads");
        QTest::addColumn<int>("resumedThreads");
        QTest::newRow("fp32, mid-epoch") << "fp32-gan" << 5 << 1 << 1;
        QTest::newRow("fp32, epoch end, 2 threads") << "fp32-gan" << 12 << 2 << 2;
        QTest::newRow("mca-pcm, mid-epoch, 1 vs 2 threads") << "mca-pcm-gan" << 17 << 1 << 2;
        QTest::newRow("mca-pcm, epoch end, 2 vs 1 threads") << "mca-pcm-gan" << 24 << 2 << 1;
    }

    void continuesExactly() {
        QFETCH(QString, preset);
        QFETCH(int, saveAfter);
        QFETCH(int, wholeThreads);
        QFETCH(int, resumedThreads);
        const ExperimentConfig c = small_gan(preset.toStdString());
        const auto threads = [](int n) {
            return tbb::global_control(tbb::global_control::max_allowed_parallelism, n);
        };

        auto whole = [&] {
            const auto limit = threads(wholeThreads);
            auto run = std::make_unique<GanRun>(c, data_);
            finish(*run);
            return run;
        }();

        const auto limit = threads(resumedThreads);
        GanRun first(c, data_);
        train(first, saveAfter);
        const ExperimentState saved = first.state();
        const std::string file = path(preset.toStdString() + std::to_string(saveAfter) + ".h5");
        save_session(file, saved, {CROSSBARLAB_VERSION, "", data_->description, {}, {}});
        const ExperimentState loaded = load_session(file);
        QCOMPARE(loaded.config, saved.config);
        QCOMPARE(loaded.step, std::uint64_t(saveAfter) * 10);
        QCOMPARE(loaded.position, saveAfter % 12 * 10);
        QVERIFY(loaded.arrays == saved.arrays);

        GanRun second(loaded, data_);
        QCOMPARE(second.epochs_done(), saveAfter / 12);
        QCOMPARE(second.position(), saveAfter % 12);
        finish(second);

        // What train --json prints per epoch, the digits of each epoch and the state at the end.
        const nlohmann::json a = gan_summary_json(*whole, 0), b = gan_summary_json(second, 0);
        for (const char* key : {"epochs", "frechet_distance", "discriminator_loss",
                                "generator_loss", "device_updates", "fp_equivalent_updates",
                                "learning_rate", "images_trained", "feature_classifier"})
            QVERIFY2(a[key] == b[key], qPrintable(QString::fromStdString(
                                           std::string(key) + ": " + a[key].dump() +
                                           " uninterrupted, " + b[key].dump() + " resumed")));
        QCOMPARE(a["epochs"].get<int>(), 3);
        for (int e = 0; e < 3; ++e)
            QVERIFY(*second.history()[e].samples == *whole->history()[e].samples);
        QVERIFY(second.samples(GanRun::grid_images) == whole->samples(GanRun::grid_images));
        QVERIFY(timeless(second) == timeless(*whole));
        if (c.scheme.type != "mca") return;
        // The PCM pairs were programmed and refreshed, and the save came with MCA's chi.
        std::uint64_t pulses = 0, refreshed = 0;
        for (const Network<float>* net : {&whole->gan().generator(), &whole->gan().discriminator()})
            for (const StageCounts& k : net->counts()) {
                pulses += k[Stage::update].set_pulses + k[Stage::update].reset_pulses;
                refreshed += k[Stage::refresh].refreshed_pairs;
            }
        QVERIFY(pulses > 0);
        QVERIFY(refreshed > 0);
        QVERIFY(saved.arrays.count("gan/generator/layer_0/chi") &&
                saved.arrays.count("gan/discriminator/layer_1/nu_plus_code"));
    }

    void fullPrecisionCountsPerEpoch() {
        // The sparsity view's dashed lines: each epoch counts its own samples' outer products
        // (equal epochs, equal counts within the sparsity of the deltas), not the run's sum.
        const ExperimentConfig c = small_gan("mca-pcm-gan");
        GanRun run(c, data_);
        train(run, 12);
        ExperimentState one_epoch = run.state();
        finish(run);
        for (const GanEpoch& m : run.history()) {
            QCOMPARE(m.fp_equivalent_updates.size(), m.device_updates.size());
            for (std::size_t k = 0; k < m.fp_equivalent_updates.size(); ++k) {
                QVERIFY(m.fp_equivalent_updates[k] > 0);
                QVERIFY(m.fp_equivalent_updates[k] <=
                        2 * run.history()[0].fp_equivalent_updates[k]);
            }
        }
        // A session of an earlier build has no such array: it loads, its epochs count 0, and
        // the next epoch counts itself alone.
        one_epoch.arrays.erase(std::string(GanRun::history_prefix) + GanRun::fp_equivalent_name);
        const std::string file = path("earlier.h5");
        save_session(file, one_epoch, {CROSSBARLAB_VERSION, "", data_->description, {}, {}});
        GanRun earlier(load_session(file), data_);
        finish(earlier);
        QCOMPARE(earlier.history()[0].fp_equivalent_updates,
                 std::vector<std::uint64_t>(run.history()[0].fp_equivalent_updates.size()));
        QCOMPARE(earlier.history()[1].fp_equivalent_updates,
                 run.history()[1].fp_equivalent_updates);
    }

    void refusesBrokenSessions() {
        const ExperimentConfig c = small_gan("mca-pcm-gan");
        GanRun run(c, data_);
        train(run, 17); // one epoch in the history, five steps into the next
        const ExperimentState good = run.state();
        const std::string file = path("good.h5");
        save_session(file, good, {CROSSBARLAB_VERSION, "", data_->description, {}, {}});
        QVERIFY(load_session(file).arrays == good.arrays);

        const std::string history = GanRun::history_prefix;
        struct Case {
            std::string needle;
            std::function<void(ExperimentState&)> damage;
        };
        const std::vector<Case> cases = {
            {"gan/discriminator/layer_1/g_plus",
             [](ExperimentState& s) { s.arrays.erase("gan/discriminator/layer_1/g_plus"); }},
            {"gan/generator/network/in_batch",
             [](ExperimentState& s) { s.arrays.erase("gan/generator/network/in_batch"); }},
            {history + "samples",
             [&](ExperimentState& s) {
                 put_array(s.arrays, history + "samples", std::vector<float>(36 * 100),
                           {1, 36, 100}, "fraction");
             }},
            {history + "discriminator_loss",
             [&](ExperimentState& s) {
                 put_array(s.arrays, history + "discriminator_loss", std::vector<double>{1, 1}, {2},
                           "nats");
             }},
            {"gan/pulses_seen",
             [](ExperimentState& s) {
                 put_array(s.arrays, "gan/pulses_seen", std::vector<std::uint64_t>{1, 2}, {2},
                           "pulses");
             }},
            {"gan/generator/layer_0/chi",
             [](ExperimentState& s) {
                 std::get<std::vector<float>>(s.arrays["gan/generator/layer_0/chi"].data)[3] =
                     std::numeric_limits<float>::quiet_NaN();
             }},
            {"step", [](ExperimentState& s) { s.step += 10; }},
        };
        for (const Case& k : cases) {
            ExperimentState bad = good;
            k.damage(bad);
            const std::string p = path("bad.h5");
            save_session(p, bad, {});
            refuses([&] { load_session(p); }, {p, k.needle});
        }

        // A truncated file: HDF5's checksums catch it before anything is built.
        const std::string cut = path("cut.h5");
        std::filesystem::copy_file(file, cut);
        std::filesystem::resize_file(cut, std::filesystem::file_size(file) / 2);
        refuses([&] { load_session(cut); }, {cut});

        // The session on other data: epochs of another length, refused by the run.
        DatasetSpec other = c.dataset;
        other.synthetic_train = 100;
        const auto other_data = std::make_shared<const DataSplit>(load_dataset(other));
        refuses([&] { GanRun(good, other_data); }, {"gan/counters", "other data"});
    }
};

QTEST_GUILESS_MAIN(TestGanSession)
#include "tst_gan_session.moc"
