# The libFuzzer targets, in a build tree of their own (FLASHSALE_FUZZ=ON, clang; the
# fuzz tests of the main tree configure and build it: tests/fuzz/CMakeLists.txt).
# Only the parsers the targets reach are compiled, with the fuzzer's coverage and
# AddressSanitizer + UndefinedBehaviorSanitizer (any UB aborts); no GUI, no server.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "FLASHSALE_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++-14")
endif()

set(FLASHSALE_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1)

# What FlashSale parses itself, one source each, as the server compiles it.
set(server ${PROJECT_SOURCE_DIR}/server)
add_library(flashsale_fuzz_parsers STATIC
  ${server}/http/requestframer.cpp         # HTTP/1.1 framing: the first code any client byte reaches
  ${server}/http/requesttarget.cpp         # the request target: path segments, query
  ${server}/http/router.cpp                # strict {captures}
  ${server}/http/jsonbody.cpp              # typed JSON fields
  ${server}/http/httpresponse.cpp          # the problems those checks answer
  ${server}/accounts/accountrules.cpp
  ${server}/accounts/registrationrequest.cpp
  ${server}/accounts/jwt.cpp
  ${server}/accounts/sodiumsupport.cpp
  ${server}/sales/purchaserequest.cpp      # Idempotency-Key and quantity
  ${server}/sales/salerequest.cpp
  ${server}/inventory/salestock.cpp        # what an Idempotency-Key is remembered by
  ${server}/waitingroom/admissiontoken.cpp
  ${server}/waitingroom/signedtext.cpp
  ${server}/storage/databaseurl.cpp
  ${server}/config/serverconfig.cpp
  ${server}/config/settingstable.cpp
  ${server}/notifications/pushsignin.cpp)
set_target_properties(flashsale_fuzz_parsers PROPERTIES AUTOMOC OFF)
target_include_directories(flashsale_fuzz_parsers PUBLIC ${server})
target_compile_options(flashsale_fuzz_parsers PRIVATE -fsanitize=fuzzer-no-link ${FLASHSALE_FUZZ_FLAGS})
target_link_libraries(flashsale_fuzz_parsers PUBLIC Qt6::Core Qt6::Network PkgConfig::SODIUM PRIVATE flashsale_warnings)
target_compile_definitions(flashsale_fuzz_parsers PUBLIC FLASHSALE_VERSION="${PROJECT_VERSION}")

# One executable per tests/fuzz/fuzz_*.cpp.
file(GLOB fuzz_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz_*.cpp)
foreach(src ${fuzz_sources})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  set_target_properties(${name} PROPERTIES AUTOMOC OFF)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer ${FLASHSALE_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE flashsale_fuzz_parsers flashsale_warnings)
  target_compile_definitions(${name} PRIVATE FLASHSALE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endforeach()
