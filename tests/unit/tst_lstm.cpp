// Character models (seed 002 Fig. 4D-F): the LSTM's gradient through back-propagation through
// time against finite differences (training path with dropout, and the batched evaluation
// path), MVMs per sequence, a tiny model learning a periodic text and writing it on its own
// (sampled characters, valid UTF-8), the text split (90/5/5,
// vocabulary from the training part, unknown characters, refusals) and the layer list's rules.
#include "core/dataset/text.hpp"
#include "core/experiment/experiment.hpp"
#include "core/experiment/text_sample.hpp"
#include "core/network/lstm_layer.hpp"
#include "core/network/network_builder.hpp"
#include "core/network/optimizer.hpp"
#include "core/training/scheme_factory.hpp"
#include "gradient_check.hpp"

// Qt after the core headers: its emit keyword breaks the oneTBB headers.
#include "../common/input_error.hpp"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <cmath>
#include <functional>

using namespace cbl;

namespace {

LayerSpec layer(const std::string& kind, int units, double rate = 0) {
    LayerSpec s;
    s.kind = kind;
    s.units = units;
    s.rate = rate;
    return s;
}

LayerSpec lstm(int units, double forget_bias) {
    LayerSpec s = layer("lstm", units);
    s.forget_bias = forget_bias;
    return s;
}

template <typename Scalar>
Network<Scalar> fp_model(const std::vector<LayerSpec>& specs, int vocabulary, int steps,
                         const OptimizerConfig& opt = {}, int batch = 1) {
    const ImageShape in{1, 1, steps + 1};
    return build_graph<Scalar>(
        specs, in, vocabulary,
        test::fp_layers<Scalar>(graph_weight_shapes(specs, in, vocabulary), 5), opt, batch, 5);
}

/// A sample of steps + 1 character indices below `vocabulary`.
Eigen::VectorXf sequence(int steps, int vocabulary) {
    Eigen::VectorXf x(steps + 1);
    for (int t = 0; t <= steps; ++t)
        x[t] = static_cast<float>((3 * t + t * t) % vocabulary);
    return x;
}

/// `repeats` copies of a short sentence: a text whose next character is nearly always certain.
std::string periodic_text(int repeats) {
    std::string s;
    for (int i = 0; i < repeats; ++i)
        s += "the cat sat on the mat. ";
    return s;
}

/// How many of the periodic text's words "cat", "sat", "mat", "the" occur in `text`.
int sentence_words(const std::string& text) {
    int n = 0;
    for (const char* w : {"cat", "sat", "mat", "the"})
        for (auto at = text.find(w); at != std::string::npos; at = text.find(w, at + 1))
            ++n;
    return n;
}

using test::message_of;

} // namespace

class TestLstm : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    // one-hot(6) -> lstm 4 -> dropout 0.3 -> lstm 3 -> dense 6 over 5 steps: dL/dW of both gate
    // matrices and the dense layer, with the training path's fixed dropout masks; the second
    // lstm passes its error back to the first through W^T at every step.
    void gradientThroughTimeMatchesFiniteDifferences_data() {
        QTest::addColumn<double>("forget_bias");
        QTest::newRow("no forget bias") << 0.0;
        QTest::newRow("forget bias 1") << 1.0;
    }
    void gradientThroughTimeMatchesFiniteDifferences() {
        QFETCH(double, forget_bias);
        const int vocabulary = 6, steps = 5;
        Network<double> net = fp_model<double>({lstm(4, forget_bias), layer("dropout", 0, 0.3),
                                                lstm(3, forget_bias), layer("dense", 0)},
                                               vocabulary, steps);
        QCOMPARE(net.weight_count(), 3);
        QCOMPARE(net.weight_layer(0).outputs(), 16);
        QCOMPARE(net.weight_layer(0).inputs(), vocabulary + 4 + 1);
        QCOMPARE(net.weight_layer(1).inputs(), 4 + 3 + 1);
        test::check_gradient(net, sequence(steps, vocabulary), 0, true, true);
    }

    // The batched evaluation path (forward_batch, step by step for all samples) computes the
    // same loss as the training path: its finite differences match the training gradient.
    void evaluationPathMatchesTheGradient() {
        const int vocabulary = 5, steps = 4;
        Network<double> net = fp_model<double>(
            {layer("lstm", 3), layer("lstm", 3), layer("dense", 0)}, vocabulary, steps);
        test::check_gradient(net, sequence(steps, vocabulary), 0, false, true);
    }

    // Forward: one MVM per step and LSTM; backward: one transposed MVM per step, except the
    // first LSTM's first step (h_{-1} = 0 and nothing upstream learns); the dense layer reads
    // once per step.
    void mvmsPerSequence() {
        const int vocabulary = 7, steps = 6;
        Network<double> net = fp_model<double>(
            {layer("lstm", 4), layer("lstm", 4), layer("dense", 0)}, vocabulary, steps);
        StepContext ctx{0, nullptr};
        net.train_sample(sequence(steps, vocabulary), 0, 0.0, ctx);
        const std::vector<StageCounts> c = net.take_counts();
        // Full precision counts the multiply-accumulates of as many MVMs (rows x columns each).
        const auto mvms = [&](int k, Stage s) {
            return double(c[k][s].digital_macs) /
                   (net.weight_layer(k).outputs() * net.weight_layer(k).inputs());
        };
        QCOMPARE(mvms(0, Stage::forward), double(steps));
        QCOMPARE(mvms(0, Stage::backward), double(steps - 1));
        QCOMPARE(mvms(1, Stage::forward), double(steps));
        QCOMPARE(mvms(1, Stage::backward), double(steps));
        QCOMPARE(mvms(2, Stage::forward), double(steps));
        QCOMPARE(mvms(2, Stage::backward), double(steps));
    }

    // One lstm of 16 units on "the cat sat on the mat. " over windows of 12: after two passes
    // with Adam the test text costs well under the 3.46 bits of a uniform guess over its 11
    // characters.
    void tinyModelLearnsAPeriodicText() {
        const DataSplit data = text_split(periodic_text(400), 12, "periodic");
        const int v = data.train.classes;
        QCOMPARE(v, 11);
        OptimizerConfig opt;
        opt.type = "adam";
        opt.learning_rate = 0.01;
        Network<float> net = fp_model<float>({layer("lstm", 16), layer("dense", 0)}, v, 12, opt, 4);
        const std::string untrained =
            sample_characters(net, data.vocabulary, data.validation.images.col(0), 200, 7, 1);
        std::uint64_t step = 0;
        for (int epoch = 0; epoch < 2; ++epoch)
            for (int i = 0; i < data.train.size(); ++i) {
                StepContext ctx{step++, nullptr};
                net.train_sample(data.train.images.col(i), data.train.labels[i], 0.01, ctx);
            }
        const double bpc = net.evaluate(data.test.images, data.test.labels, 0).loss / std::log(2);
        QVERIFY2(bpc < 1.0, qPrintable(QString::number(bpc)));
        // What it writes on its own, primed with a validation window, is made of the sentence's
        // words (an untrained model writes noise); the same seed and epoch give the same text.
        const auto sample = [&](int epoch) {
            return sample_characters(net, data.vocabulary, data.validation.images.col(0), 200, 7,
                                     epoch);
        };
        const std::string text = sample(1);
        QCOMPARE(text.size(), std::size_t(200));
        QCOMPARE(sample(1), text);
        QVERIFY(sample(2) != text);
        QVERIFY2(sentence_words(text) >= sentence_words(untrained) + 6,
                 qPrintable(QString("%1 -> %2: %3")
                                .arg(sentence_words(untrained))
                                .arg(sentence_words(text))
                                .arg(QString::fromStdString(text))));
    }

    // A byte-level model can write half a UTF-8 character: the sample stays valid UTF-8.
    void sampledTextIsValidUtf8() {
        const std::string vocabulary =
            "a\xC3\xA9\xFF"; // 'a', the two bytes of U+00E9, a byte never in UTF-8
        Network<float> net = fp_model<float>({layer("lstm", 4), layer("dense", 0)}, 4, 6);
        Eigen::VectorXf prime = Eigen::VectorXf::Zero(7);
        const std::string text = sample_characters(net, vocabulary, prime, 300, 3, 1);
        QVERIFY(text.size() >= 300);
        const QByteArray bytes = QByteArray::fromStdString(text);
        QCOMPARE(QString::fromUtf8(bytes).toUtf8(), bytes);
        QVERIFY(text.find("\xEF\xBF\xBD") != std::string::npos); // some lone byte was replaced
    }

    // 90/5/5 by position; windows of T + 1 characters every T; the vocabulary is the training
    // part's, sorted; a character only the test part has becomes the extra "unknown" class.
    void textSplit() {
        std::string text(2000, 'a');
        for (std::size_t i = 0; i < text.size(); i += 3)
            text[i] = 'b';
        text[1990] = 'z'; // in the test part only
        const DataSplit d = text_split(text, 9, "t");
        QCOMPARE(d.vocabulary, std::string("ab"));
        QCOMPARE(d.train.classes, 3);
        QCOMPARE(d.train.size(), (1800 - 1) / 9);
        QCOMPARE(d.validation.size(), (100 - 1) / 9);
        QCOMPARE(d.test.size(), (100 - 1) / 9);
        QCOMPARE(d.train.features(), 10);
        for (int t = 0; t <= 9; ++t) // the second window starts at character 9
            QCOMPARE(int(d.train.images(t, 1)), text[9 + t] == 'b' ? 1 : 0);
        QCOMPARE(int(d.train.labels[1]), int(d.train.images(9, 1)));
        QCOMPARE(int(d.train.images.maxCoeff()), 1);
        QCOMPARE(int(d.test.images.maxCoeff()), 2);
    }

    void badTextIsRefusedInOneLine() {
        QVERIFY(message_of([] { text_split("", 10, "e"); }).startsWith("e: the text is empty"));
        std::string binary = periodic_text(50);
        binary[7] = '\0';
        QVERIFY(message_of([&] { text_split(binary, 10, "b"); }).startsWith("b: not plain text"));
        QVERIFY(message_of([] { text_split("short text", 10, "s"); }).contains("too few"));
        QVERIFY(message_of([] {
                    load_text_file("/nonexistent/corpus.txt", 10);
                }).contains("is not a readable file"));
        for (const QString& e : {message_of([] { text_split("", 10, "e"); }),
                                 message_of([] { load_text_file("/nonexistent/corpus.txt", 10); })})
            QVERIFY(!e.contains('\n'));
    }

    // An lstm reads text first or another lstm's sequence; image layers do not follow it.
    void layerListRules() {
        const ImageShape text{1, 1, 11}, image{1, 28, 28};
        QVERIFY(message_of([&] {
                    graph_weight_shapes({layer("lstm", 8), layer("dense", 10)}, image, 10);
                }).contains("reads text samples"));
        LayerSpec flat;
        flat.kind = "flatten";
        QVERIFY(message_of([&] {
                    graph_weight_shapes({layer("lstm", 8), flat, layer("dense", 10)}, text, 10);
                }).contains("not after an lstm"));
        QVERIFY(message_of([&] {
                    graph_weight_shapes({flat, layer("lstm", 8), layer("dense", 10)}, text, 10);
                }).contains("reads text"));
        QVERIFY(message_of([&] {
                    graph_weight_shapes({lstm(8, 11), layer("dense", 10)}, text, 10);
                }).contains("network.graph[0].forget_bias"));
        const auto shapes =
            graph_weight_shapes({layer("lstm", 8), layer("lstm", 5), layer("dense", 0)}, text, 12);
        QCOMPARE(shapes.size(), std::size_t(3));
        QCOMPARE(shapes[0], std::make_pair(32, 12 + 8 + 1));
        QCOMPARE(shapes[1], std::make_pair(20, 8 + 5 + 1));
        QCOMPARE(shapes[2], std::make_pair(12, 5 + 1));
    }

    // forget_bias moves exactly the forget gate's bias entries (rows H..2H-1, column D + H) of
    // the initial matrix, in full precision and on PCM pairs (drawn into G+, within the device
    // range: a bias beyond beta g_max is clamped); every other weight keeps its draw.
    void forgetBiasShiftsOnlyTheForgetGateBias_data() {
        QTest::addColumn<bool>("crossbar");
        QTest::newRow("fp") << false;
        QTest::newRow("mca-pcm") << true;
    }
    void forgetBiasShiftsOnlyTheForgetGateBias() {
        QFETCH(bool, crossbar);
        const int vocabulary = 6, steps = 3, h = 4, bias_col = vocabulary + h;
        const ImageShape in{1, 1, steps + 1};
        ExperimentConfig c = load_preset("mca-pcm-lstm");
        // One pair with mca-pcm-cnn's beta: its range is below the forget bias of 10 tried last
        // (the preset's 8 pairs hold 8 times as much).
        c.tile.pairs_per_weight = 1;
        c.tile.beta_per_uS = 0.02;
        const auto model = [&](double forget_bias) {
            const std::vector<LayerSpec> specs{lstm(h, forget_bias), layer("dense", 0)};
            const auto shapes = graph_weight_shapes(specs, in, vocabulary);
            WeightLayers<float> w = crossbar ? make_layers<float>(shapes, c.scheme, c.tile, 5,
                                                                  c.training.seconds_per_image)
                                             : test::fp_layers<float>(shapes, 5);
            return build_graph<float>(specs, in, vocabulary, std::move(w), {}, 1, 5);
        };
        const Eigen::MatrixXf w0 = model(0).weight_layer(0).weights();
        const Eigen::MatrixXf w1 = model(0.5).weight_layer(0).weights();
        Eigen::MatrixXf shift = Eigen::MatrixXf::Zero(4 * h, bias_col + 1);
        shift.block(h, bias_col, h, 1).setConstant(0.5f);
        QVERIFY2((w1 - w0 - shift).cwiseAbs().maxCoeff() < 1e-5f,
                 qPrintable(QString::number((w1 - w0 - shift).cwiseAbs().maxCoeff())));
        if (!crossbar) return;
        // beta = 0.02 sqrt(785 / 11) = 0.17 per uS: the largest weight is 0.17 x 20 uS.
        const Eigen::MatrixXf wmax = model(10).weight_layer(0).weights();
        const float beta = float(c.tile.beta_per_uS * std::sqrt(785.0 / (bias_col + 1)));
        const float g_max = float(c.tile.device.g_max_uS());
        for (int u = 0; u < h; ++u)
            QVERIFY(wmax(h + u, bias_col) <= beta * g_max + 1e-5f &&
                    wmax(h + u, bias_col) > beta * (g_max - 10));
    }

    // training.optimizer.clip_norm rescales a matrix's mean gradient to that L2 norm when it is
    // larger, and leaves a smaller one alone (SGD with η = 1: the step is minus the gradient).
    void gradientClipRescalesOnlyLargeGradients() {
        OptimizerConfig oc;
        oc.clip_norm = 2;
        Optimizer<double> opt(oc, 2, 2);
        Eigen::MatrixXd g(2, 2);
        g << 3, 4, 0, 0; // norm 5
        opt.gradient_to_delta(g, 1.0);
        QVERIFY(std::abs(g.norm() - 2) < 1e-12);
        QVERIFY(std::abs(g(0, 0) + 1.2) < 1e-12 && std::abs(g(0, 1) + 1.6) < 1e-12);
        Eigen::MatrixXd small(2, 2);
        small << 0.3, 0, 0, -0.4; // norm 0.5
        opt.gradient_to_delta(small, 1.0);
        QVERIFY(std::abs(small(0, 0) + 0.3) < 1e-12 && std::abs(small(1, 1) - 0.4) < 1e-12);
        oc.clip_norm = -1;
        QVERIFY(message_of([&] { oc.validate(); }).contains("training.optimizer.clip_norm"));
    }

    // The MCA scheme on PCM crossbars trains the character model through the experiment: the
    // gate matrices get programming pulses, one MVM per step, and a validation loss.
    void mcaTrainsOnCrossbars() {
        const QString path = QDir::temp().filePath("tst_lstm_corpus.txt");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(periodic_text(200)));
        }
        ExperimentConfig c = load_preset("mca-pcm-lstm");
        c.dataset.source = "text:" + path.toStdString();
        c.dataset.train_limit = 60;
        c.network.graph[0].units = c.network.graph[2].units = 8;
        c.training.optimizer.learning_rate = 0.05; // a few batches' changes reach eps
        auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
        Experiment e(c, data);
        e.train_epoch();
        QCOMPARE(e.epochs_done(), 1);
        const EpochMetrics& m = e.history().back();
        QCOMPARE(m.device_updates.size(), std::size_t(3));
        QVERIFY(m.device_updates[0] > 0 && m.device_updates[1] > 0);
        QVERIFY(m.validation_loss > 0 && std::isfinite(m.validation_loss));
        QVERIFY(m.counts[0][Stage::forward].mvms == std::uint64_t(60 * 50));
        QFile::remove(path);
    }
};

QTEST_GUILESS_MAIN(TestLstm)
#include "tst_lstm.moc"
