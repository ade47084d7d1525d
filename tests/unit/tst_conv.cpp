// Convolutional networks: the unrolled convolution against a direct nested-loop convolution,
// analytic gradients against finite differences through conv (strides, padding, two input
// channels), max-pool, dropout and dense, MVM counts per sample, a tiny CNN learning with
// mini-batches and momentum, and the layer list (JSON fields, shapes, messages; the one-line text
// form the GUI edits).
#include "core/dataset/dataset.hpp"
#include "core/experiment/config.hpp"
#include "core/network/conv2d_layer.hpp"
#include "core/network/fp_layer.hpp"
#include "core/network/layer_list_text.hpp"
#include "core/network/maxpool2d_layer.hpp"
#include "core/network/network_builder.hpp"
#include "gradient_check.hpp"

#include <nlohmann/json.hpp>

#include "../common/input_error.hpp"

#include <QtTest>

using namespace cbl;

namespace {

template <typename Scalar>
Network<Scalar> fp_graph(const std::vector<LayerSpec>& specs, ImageShape in, int classes,
                         const OptimizerConfig& opt = {}, int batch = 1) {
    return build_graph<Scalar>(specs, in, classes,
                               test::fp_layers<Scalar>(graph_weight_shapes(specs, in, classes), 3),
                               opt, batch, 3);
}

LayerSpec conv(int kernel, int channels, int stride = 1, int padding = 0,
               std::string activation = "") {
    LayerSpec s;
    s.kind = "conv2d";
    s.kernel = kernel;
    s.channels = channels;
    s.stride = stride;
    s.padding = padding;
    s.activation = std::move(activation);
    return s;
}
LayerSpec pool(int kernel) {
    LayerSpec s;
    s.kind = "maxpool2d";
    s.kernel = s.stride = kernel;
    return s;
}
LayerSpec dense(int units, std::string activation = "") {
    LayerSpec s;
    s.kind = "dense";
    s.units = units;
    s.activation = std::move(activation);
    return s;
}
LayerSpec dropout(double rate) {
    LayerSpec s;
    s.kind = "dropout";
    s.rate = rate;
    return s;
}

/// y[co][oy][ox] = b[co] + sum_{c,ky,kx} W[co][c][ky][kx] x[c][oy*s-p+ky][ox*s-p+kx].
Eigen::VectorXd direct_convolution(const Eigen::MatrixXd& w, const Eigen::VectorXd& x,
                                   ImageShape in, int k, int stride, int pad) {
    const Window2d win{k, stride, pad};
    const int ho = win.positions(in.height), wo = win.positions(in.width);
    Eigen::VectorXd y(w.rows() * ho * wo);
    for (int co = 0; co < w.rows(); ++co)
        for (int oy = 0; oy < ho; ++oy)
            for (int ox = 0; ox < wo; ++ox) {
                double sum = w(co, w.cols() - 1);
                for (int c = 0; c < in.channels; ++c)
                    for (int ky = 0; ky < k; ++ky)
                        for (int kx = 0; kx < k; ++kx) {
                            const int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;
                            sum += w(co, (c * k + ky) * k + kx) *
                                   x[(c * in.height + iy) * in.width + ix];
                        }
                y[(co * ho + oy) * wo + ox] = sum;
            }
    return y;
}

/// A full-precision layer that keeps WeightLayer's default forward_many/backward_many (one
/// forward()/backward() per position, as a crossbar layer does) and counts its MVMs.
class PerPositionLayer final : public WeightLayer<double> {
  public:
    PerPositionLayer(int rows, int cols, std::uint32_t k) : fp_(rows, cols, 3, k) {}
    int outputs() const override { return fp_.outputs(); }
    int inputs() const override { return fp_.inputs(); }
    void forward(const Vec& x, Vec& z, StepContext& ctx) override {
        fp_.forward(x, z, ctx);
        if (ctx.counts) ++(*ctx.counts)[Stage::forward].mvms;
        position_sum += ctx.position;
    }
    void backward(const Vec& d, Vec& out, StepContext& ctx) override {
        fp_.backward(d, out, ctx);
        if (ctx.counts) ++(*ctx.counts)[Stage::backward].mvms;
    }
    void forward_batch(const Matrix& x, Matrix& z, std::uint64_t key) const override {
        fp_.forward_batch(x, z, key);
    }
    void commit_rank1(const Vec& x, const Vec& d, double s, StepContext& ctx) override {
        fp_.commit_rank1(x, d, s, ctx);
    }
    void commit(const Matrix& dW, StepContext& ctx) override { fp_.commit(dW, ctx); }
    std::unique_ptr<WeightLayer<double>> clone() const override {
        return std::make_unique<PerPositionLayer>(*this);
    }
    void save_state(const std::string& p, StateArrays& out) const override {
        fp_.save_state(p, out);
    }
    void load_state(const std::string& p, const StateArrays& in) override { fp_.load_state(p, in); }
    Matrix weights() const override { return fp_.weights(); }

    std::uint64_t position_sum = 0; ///< of the forward reads: each position keys its read

  private:
    FpLayer<double> fp_;
};

} // namespace

class TestConv : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void unrolledEqualsDirectConvolution_data() {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("padding");
        QTest::newRow("3x3 stride 1") << 3 << 1 << 0;
        QTest::newRow("3x3 stride 2 padding 1") << 3 << 2 << 1;
        QTest::newRow("5x5 stride 1 padding 2") << 5 << 1 << 2;
        QTest::newRow("2x2 stride 3") << 2 << 3 << 0;
    }
    void unrolledEqualsDirectConvolution() {
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, padding);
        const ImageShape in{2, 7, 6};
        const int k2c = kernel * kernel * in.channels + 1;
        Conv2dLayer<double> layer(std::make_unique<FpLayer<double>>(3, k2c, 5, 0), {}, in,
                                  {kernel, stride, padding});
        QCOMPARE(layer.output_size(in.size(), "c"), layer.output_shape().size());
        const Eigen::MatrixXd w = layer.weights().weights();
        // 250 samples: evaluation splits them into groups of about 4096 positions.
        const Eigen::MatrixXd x = Eigen::MatrixXd::Random(in.size(), 250);
        Eigen::VectorXd y;
        StepContext ctx;
        Eigen::MatrixXd batch;
        layer.forward_batch(x, batch, 0);
        for (int s = 0; s < x.cols(); ++s) {
            const Eigen::VectorXd direct =
                direct_convolution(w, x.col(s), in, kernel, stride, padding);
            layer.forward(x.col(s), y, ctx);
            QCOMPARE(y.size(), direct.size());
            QVERIFY((y - direct).cwiseAbs().maxCoeff() < 1e-12);
            QVERIFY((batch.col(s) - direct).cwiseAbs().maxCoeff() < 1e-12);
        }
    }

    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("padding");
        QTest::newRow("stride 1 padding 0") << 1 << 0;
        QTest::newRow("stride 1 padding 1") << 1 << 1;
        QTest::newRow("stride 2 padding 0") << 2 << 0;
        QTest::newRow("stride 2 padding 1") << 2 << 1;
    }
    // input 2x13x13 -> conv 3x3 (tanh) -> conv 3x3 (tanh) -> max-pool 2 -> dropout -> dense 5
    // (sigmoid) -> dense 3 -> softmax CE. The second conv passes its error back through
    // col2im; dropout at rate 0.3 with the training path's fixed mask.
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, stride);
        QFETCH(int, padding);
        const ImageShape in{2, 13, 13};
        Network<double> net =
            fp_graph<double>({conv(3, 3, stride, padding, "tanh"), conv(3, 2, 1, padding, "tanh"),
                              pool(2), dropout(0.3), dense(5, "sigmoid"), dense(3)},
                             in, 3);
        QCOMPARE(net.weight_count(), 4);
        const Eigen::VectorXf x = (Eigen::VectorXf::Random(in.size()).array() + 1) / 2;
        const int label = 1;
        test::check_gradient(net, x, label, true, true);
    }

    void maxPoolRoutesTheErrorToTheWinner() {
        MaxPool2dLayer<double> pool(ImageShape{1, 4, 4}, 2, 2);
        Eigen::VectorXd x(16), y, dx;
        x << 1, 5, 2, 0, //
            3, 4, 9, 1,  //
            0, 0, 7, 8,  //
            6, 2, 8, 3;
        StepContext ctx;
        pool.forward(x, y, ctx);
        QCOMPARE(y, (Eigen::VectorXd(4) << 5, 9, 6, 8).finished());
        pool.backward(x, y, Eigen::VectorXd::Constant(4, 1.0), &dx, ctx);
        Eigen::VectorXd expected = Eigen::VectorXd::Zero(16);
        expected[1] = expected[6] = expected[12] = expected[11] = 1; // first 8 of the tie wins
        QCOMPARE(dx, expected);
        Eigen::MatrixXd batch(16, 2), out;
        batch << x, -x;
        pool.forward_batch(batch, out, 0);
        QCOMPARE(Eigen::VectorXd(out.col(0)), y);
    }

    // One forward MVM per output position; one backward MVM per position except in the first
    // layer (nothing upstream learns); with or without the one-product override.
    void mvmsPerSample() {
        const ImageShape in{1, 8, 8};
        const std::vector<LayerSpec> specs = {conv(3, 4, 1, 0, "relu"), conv(3, 2, 2, 1), dense(3)};
        const auto shapes = graph_weight_shapes(specs, in, 3);
        QCOMPARE(shapes.size(), std::size_t(3));
        QCOMPARE(shapes[0], std::make_pair(4, 10));
        QCOMPARE(shapes[1], std::make_pair(2, 37));
        QCOMPARE(shapes[2], std::make_pair(3, 2 * 3 * 3 + 1));
        const int p0 = 6 * 6, p1 = 3 * 3;
        Network<double> fp = fp_graph<double>(specs, in, 3);
        WeightLayers<double> per;
        for (std::size_t k = 0; k < shapes.size(); ++k)
            per.push_back(std::make_unique<PerPositionLayer>(shapes[k].first, shapes[k].second,
                                                             static_cast<std::uint32_t>(k)));
        Network<double> looped = build_graph<double>(specs, in, 3, std::move(per), {}, 1, 3);
        const Eigen::VectorXf x = (Eigen::VectorXf::Random(in.size()).array() + 1) / 2;
        StepContext ctx{0, nullptr};
        fp.train_sample(x, 2, 0.0, ctx);
        looped.train_sample(x, 2, 0.0, ctx);
        const std::vector<StageCounts> c = fp.take_counts(), m = looped.take_counts();
        const auto fwd = [](const StageCounts& s) { return s[Stage::forward]; };
        const auto bwd = [](const StageCounts& s) { return s[Stage::backward]; };
        QCOMPARE(m[0][Stage::forward].mvms, std::uint64_t(p0));
        QCOMPARE(m[0][Stage::backward].mvms, std::uint64_t(0));
        QCOMPARE(m[1][Stage::forward].mvms, std::uint64_t(p1));
        QCOMPARE(m[1][Stage::backward].mvms, std::uint64_t(p1));
        QCOMPARE(m[2][Stage::forward].mvms, std::uint64_t(1));
        QCOMPARE(m[2][Stage::backward].mvms, std::uint64_t(1));
        QCOMPARE(static_cast<PerPositionLayer&>(looped.weight_layer(0)).position_sum,
                 std::uint64_t(p0 * (p0 - 1) / 2));
        // The one-product path counts the MACs of as many MVMs.
        for (int k = 0; k < 3; ++k) {
            QCOMPARE(fwd(c[k]).digital_macs, fwd(m[k]).digital_macs);
            QCOMPARE(bwd(c[k]).digital_macs, bwd(m[k]).digital_macs);
        }
        QCOMPARE(fwd(c[0]).digital_macs, std::uint64_t(p0 * 4 * 10));
        QCOMPARE(bwd(c[1]).digital_macs, std::uint64_t(p1 * 2 * 37));
        // Same outputs and gradients either way.
        ctx = {1, nullptr};
        const double a = fp.train_sample(x, 0, 0.5, ctx).loss;
        const double b = looped.train_sample(x, 0, 0.5, ctx).loss;
        QVERIFY(std::abs(a - b) < 1e-12);
        for (int k = 0; k < 3; ++k)
            QVERIFY((fp.weight_layer(k).weights() - looped.weight_layer(k).weights())
                        .cwiseAbs()
                        .maxCoeff() < 1e-12);
    }

    // conv 5x5 stride 2 (relu) -> max-pool 2 -> dense 10 on the synthetic strokes, fp32,
    // mini-batches of 4 with momentum: the test loss falls and the classes are learned.
    void tinyCnnLearns() {
        const Dataset train = make_synthetic(800, 1), test = make_synthetic(200, 1, 800);
        OptimizerConfig opt;
        opt.type = "momentum";
        opt.learning_rate = 0.02;
        Network<float> net =
            fp_graph<float>({conv(5, 4, 2, 0, "relu"), pool(2), dense(10)},
                            {train.channels, train.height, train.width}, 10, opt, 4);
        const EvalResult before = net.evaluate(test.images, test.labels, 0);
        std::uint64_t step = 0;
        for (int epoch = 0; epoch < 2; ++epoch)
            for (int i = 0; i < train.size(); ++i) {
                StepContext ctx{step++, nullptr};
                net.train_sample(train.images.col(i), train.labels[i], 0.02, ctx);
            }
        const EvalResult after = net.evaluate(test.images, test.labels, 0);
        QVERIFY2(after.loss < 0.5 * before.loss,
                 qPrintable(QString("%1 -> %2").arg(before.loss).arg(after.loss)));
        QVERIFY2(after.accuracy > 0.8, qPrintable(QString::number(after.accuracy)));
    }

    void layerListFromJson() {
        const auto j = nlohmann::json::parse(R"([
            {"kind": "conv2d", "kernel": 5, "channels": 32, "padding": 2, "activation": "relu"},
            {"kind": "maxpool2d", "kernel": 2},
            {"kind": "dropout", "rate": 0.25},
            {"kind": "flatten"},
            {"kind": "dense", "units": 128, "activation": "relu"},
            {"kind": "dense", "units": 10, "comment": "one per class"}])");
        const std::vector<LayerSpec> specs = layer_specs_from_json(j);
        QCOMPARE(specs.size(), std::size_t(6));
        QCOMPARE(specs[0], conv(5, 32, 1, 2, "relu"));
        QCOMPARE(specs[1], pool(2)); // stride defaults to the window
        QCOMPARE(specs[2], dropout(0.25));
        QCOMPARE(specs[5], dense(10));
        nlohmann::json back = specs;
        QCOMPARE(layer_specs_from_json(back), specs);
        const auto shapes = graph_weight_shapes(specs, {1, 28, 28}, 10);
        QCOMPARE(shapes[0], std::make_pair(32, 26));
        QCOMPARE(shapes[1], std::make_pair(128, 32 * 14 * 14 + 1));
    }

    // The GUI's one-line form of a layer list: every preset's graph survives text and back,
    // defaults are left out, and a bad entry is named with the form it needs.
    void layerListAsText() {
        for (const std::string& name : preset_names()) {
            const ExperimentConfig c = load_preset(name);
            if (c.network.graph.empty()) continue;
            const std::string text = layer_list_text(c.network.graph);
            QCOMPARE(parse_layer_list(text), c.network.graph);
        }
        const std::vector<LayerSpec> specs = {conv(5, 32, 1, 2, "relu"), pool(2), dropout(0.25),
                                              conv(3, 8, 2, 0, ""), dense(10)};
        const std::string text = layer_list_text(specs);
        QCOMPARE(text, std::string("conv2d 5x5x32 pad 2 relu, maxpool2d 2, dropout 0.25, "
                                   "conv2d 3x3x8 stride 2, dense 10"));
        QCOMPARE(parse_layer_list(" conv2d 5x5x32 relu pad 2 ,maxpool2d 2,dropout 0.25, conv2d "
                                  "3x3x8 stride 2, dense 10"),
                 specs);
        const auto message = [](const std::string& t) {
            return test::message_of([&] { parse_layer_list(t); });
        };
        QCOMPARE(message("conv2d 5x3x32"),
                 QString("network entry 1, “conv2d 5x3x32”: write conv2d KxKxC [stride S] [pad P] "
                         "[relu|sigmoid|tanh], e.g. conv2d 5x5x32 relu (square kernels: K twice)"));
        QCOMPARE(message("dense 128 relu, dense ten"),
                 QString("network entry 2, “dense ten”: write dense N [relu|sigmoid|tanh], e.g. "
                         "dense 128 relu (N = 0: one per class)"));
        QCOMPARE(message("dense 10 gelu"),
                 QString("network entry 1, “dense 10 gelu”: write dense N [relu|sigmoid|tanh], "
                         "e.g. dense 128 relu (N = 0: one per class)"));
        QVERIFY(message("dense 10,, dense 10").contains("entry 2"));
        QVERIFY(message("conv3d 3").contains("a layer kind first"));
        QVERIFY(message("").contains("no layers"));
    }

    void badLayerListsNameTheLayer_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("kernel too big")
            << R"([{"kind":"conv2d","kernel":3,"channels":4},{"kind":"maxpool2d","kernel":2},
                   {"kind":"conv2d","kernel":5,"channels":4},{"kind":"dense","units":10}])"
            << "network.graph[2] (conv2d): kernel 5 does not fit a 3x3 input";
        QTest::newRow("unknown kind") << R"([{"kind":"conv3d"}])"
                                      << "network.graph[0].kind = \"conv3d\"; allowed: conv2d, "
                                         "maxpool2d, dropout, flatten, dense, lstm";
        QTest::newRow("field of another kind")
            << R"([{"kind":"conv2d","kernel":3,"units":4}])"
            << "network.graph[0].units is not a field of conv2d; its fields: kernel, channels, "
               "stride, padding, activation";
        QTest::newRow("missing field") << R"([{"kind":"dense"}])"
                                       << "network.graph[0].units is missing (dense needs it)";
        QTest::newRow("wrong type")
            << R"([{"kind":"dense","units":"ten"}])"
            << "network.graph[0].units: expected a whole number, got \"ten\"";
        QTest::newRow("padding out of range")
            << R"([{"kind":"conv2d","kernel":3,"channels":2,"padding":3},{"kind":"dense","units":10}])"
            << "network.graph[0].padding = 3 is out of range; allowed 0 .. 2";
        QTest::newRow("bad activation")
            << R"([{"kind":"dense","units":10,"activation":"gelu"}])"
            << "network.graph[0].activation = \"gelu\"; allowed: relu, sigmoid, tanh (or leave "
               "it out)";
        QTest::newRow("classes") << R"([{"kind":"dense","units":7}])"
                                 << "network.graph[0] (dense): 7 units but the data has 10 classes";
        QTest::newRow("ends with pooling")
            << R"([{"kind":"maxpool2d","kernel":2}])"
            << "network.graph[0] (maxpool2d): the last layer must be dense (10 units, one per "
               "class)";
        QTest::newRow("not a list") << R"({"kind":"dense"})"
                                    << "network.graph must be a list of layers, got "
                                       "{\"kind\":\"dense\"}";
    }
    void badLayerListsNameTheLayer() {
        QFETCH(QString, json);
        QFETCH(QString, message);
        try {
            const auto specs = layer_specs_from_json(nlohmann::json::parse(json.toStdString()));
            graph_weight_shapes(specs, {1, 8, 8}, 10);
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), message);
        }
    }
};

QTEST_GUILESS_MAIN(TestConv)
#include "tst_conv.moc"
