#pragma once
// Checked access to HDF5 for session files: owned identifiers, typed attributes and datasets, and
// readers that check type, shape and size before allocating anything. A malformed file never
// reaches HDF5's type conversion or filter code: only the little-endian standard types,
// fixed-length strings and the Fletcher-32 checksum filter that sessions use are accepted. Every
// failure is an InputError whose message names the object; callers prefix the file name.
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cbl::h5 {

/// Turns off HDF5's printing of error stacks for the calling thread (Debian's libhdf5 is built
/// thread-safe, which makes this setting per thread); errors become InputError messages instead.
void silence_errors();

/// Owns one HDF5 identifier and closes it with the matching H5?close.
class Id {
  public:
    using Closer = herr_t (*)(hid_t);
    Id() = default;
    Id(hid_t id, Closer close) : id_(id), close_(close) {}
    Id(Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
    Id& operator=(Id&& o) noexcept {
        std::swap(id_, o.id_);
        std::swap(close_, o.close_);
        return *this;
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    ~Id() {
        if (id_ >= 0 && close_) close_(id_);
    }
    hid_t get() const { return id_; }
    /// Closes now and reports failure (a file's close is where buffered writes can fail).
    herr_t close() {
        const herr_t rc = id_ >= 0 && close_ ? close_(id_) : 0;
        id_ = H5I_INVALID_HID;
        return rc;
    }

  private:
    hid_t id_ = H5I_INVALID_HID;
    Closer close_ = nullptr;
};

/// Takes ownership of `id`, or throws InputError("<what> (<HDF5's innermost message>)") if < 0.
Id checked(hid_t id, Id::Closer close, const std::string& what);
/// Throws InputError("<what> (<HDF5's innermost message>)") if rc < 0.
void check(herr_t rc, const std::string& what);

// ---- writing ----------------------------------------------------------------------------------

/// Creates the group at `path` (relative to `parent`) and any missing groups above it.
Id create_group(hid_t parent, const std::string& path);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, double value);
/// A fixed-length UTF-8 string (h5py reads it as bytes; json.loads and .decode() accept them).
void write_attribute(hid_t object, const std::string& name, const std::string& value);
/// A 1-D array of fixed-length UTF-8 strings.
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values);

/// Writes a row-major numeric array with the given shape (empty shape = scalar) and its file
/// type's standard little-endian form. Small arrays are compact (stored inside the checksummed
/// object header), larger ones chunked with the Fletcher-32 checksum filter, so that any change
/// of a stored byte is detected on load. Returns the dataset for attributes.
template <typename T>
Id write_dataset(hid_t parent, const std::string& path, const T* data,
                 const std::vector<std::size_t>& shape);
/// A 1-D dataset of fixed-length UTF-8 strings (width = the longest, at least 1 byte).
Id write_strings(hid_t parent, const std::string& path, const std::vector<std::string>& values);

/// An HDF5 file built in memory (core driver, no backing store) whose bytes are handed back
/// when it closes. HDF5 itself writes the closed file into our buffer (file-image callbacks),
/// so the superblock's consistency flags and checksum are final; H5Fget_file_image on an open
/// file leaves that checksum stale before HDF5 1.14.7 (HDFGroup/hdf5 issue 1915).
/// A finished file's bytes: the core driver's own buffer, kept without a copy (a session of a
/// large network is tens of MB, and a copy more is that much more resident during every save).
class FileImage {
  public:
    /// Releases a buffer the core driver allocated (malloc).
    struct Free {
        void operator()(char* p) const { std::free(p); }
    };
    FileImage() = default;
    FileImage(char* data, std::size_t size) : data_(data), size_(size) {}
    const char* data() const { return data_.get(); }
    std::size_t size() const { return size_; }
    std::string_view bytes() const { return {data_.get(), size_}; }

  private:
    std::unique_ptr<char, Free> data_;
    std::size_t size_ = 0;
};

class MemoryFile {
  public:
    /// `label` names the file; it must be unique among files open in this process.
    explicit MemoryFile(const std::string& label);
    hid_t get() const { return file_.get(); }
    /// Flushes, closes and returns the file's bytes. Throws InputError if HDF5 fails.
    FileImage close();

  private:
    struct Capture {
        std::size_t allocated = 0; ///< size of the driver's buffer (last malloc/realloc)
        /// The buffer as the driver released it at close (malloc'd; ours from then on).
        std::unique_ptr<char, FileImage::Free> image;
    };
    std::unique_ptr<Capture> capture_ = std::make_unique<Capture>(); // callbacks' udata
    Id file_; // declared after capture_: an abandoned file closes into a live Capture
};

// ---- reading ----------------------------------------------------------------------------------

/// Bytes a file may still decode into memory. Sessions store data uncompressed, so a file of
/// n bytes cannot honestly hold more than n bytes of values: this caps every allocation.
class Budget {
  public:
    explicit Budget(std::uint64_t bytes) : left_(bytes) {}
    /// Consumes `bytes` for `what` or throws InputError when the file cannot hold them.
    void take(std::uint64_t bytes, const std::string& what);

  private:
    std::uint64_t left_;
};

/// Numeric values in any element type a session stores.
using NumericData = std::variant<std::vector<float>, std::vector<double>, std::vector<std::uint8_t>,
                                 std::vector<std::int32_t>, std::vector<std::uint32_t>,
                                 std::vector<std::uint64_t>, std::vector<std::int64_t>>;

struct NumericArray {
    std::vector<std::size_t> shape; ///< empty for a scalar dataset
    NumericData data;
};

/// "float32", "uint64", ... for messages and docs.
const char* dtype_name(const NumericData& data);

/// Opens `path` read-only once it is known to be a regular file in HDF5 format; `kind` names what
/// it should hold in the messages ("a CrossbarLab session"). `bytes` receives the file's size,
/// the budget of everything it may decode into.
Id open_file(const std::string& path, const std::string& kind, std::uint64_t& bytes);

/// True when `path` (relative, slash-separated) names an existing hard link below `parent`.
/// Opens, read-only, an HDF5 file held in memory (a session stored inside another, HDF5's core
/// driver over a copy of `bytes`); `what` names it in the error.
Id open_image(const std::vector<std::uint8_t>& bytes, const std::string& what);
bool exists(hid_t parent, const std::string& path);
Id open_group(hid_t parent, const std::string& path);
bool has_attribute(hid_t object, const std::string& name);
std::int64_t read_int64_attribute(hid_t object, const std::string& name);
std::uint64_t read_uint64_attribute(hid_t object, const std::string& name);
double read_double_attribute(hid_t object, const std::string& name);
std::string read_string_attribute(hid_t object, const std::string& name, Budget& budget);
std::vector<std::string> read_strings_attribute(hid_t object, const std::string& name,
                                                Budget& budget);

/// Reads a numeric dataset of any accepted type after checking rank, extents, layout, filters and
/// the budget. `what` names it in messages (e.g. "/state/layer_0/w").
NumericArray read_numeric(hid_t parent, const std::string& path, Budget& budget);
/// Reads a 1-D dataset of fixed-length strings, trailing NULs removed.
std::vector<std::string> read_strings(hid_t parent, const std::string& path, Budget& budget);

enum class Kind { group, dataset };
struct Child {
    std::string name;
    Kind kind;
};
/// The members of a group in name order. Soft and external links, committed datatypes and more
/// than `max_children` members are rejected: a session holds only groups and datasets.
std::vector<Child> children(hid_t group, const std::string& what, std::size_t max_children);

} // namespace cbl::h5
