//! Table-driven: every row of shared/compat-facts.md asked through the query API gives the
//! documented answer. Format of a line: `query || component kind value ; …` where `query` is
//! `component=version …` and each expectation must be a relation of one directly matched answer.

use super::*;

const ROWS: &str = r#"
# §1 torch_npu ↔ PyTorch ↔ CANN (S1, S2)
torch_npu=2.12.0 || torch requires ==2.12.0 ; cann paired 9.1.0 ; branch info v2.12.0-26.1.0
torch_npu=2.11.0 || torch requires ==2.11.0 ; cann paired 9.1.0 ; branch info v2.11.0-26.1.0
torch_npu=2.10.0.post4 || torch requires ==2.10.0 ; cann paired 9.1.0 ; branch info v2.10.0-26.1.0
torch_npu=2.9.0.post6 || torch requires ==2.9.0 ; cann paired 9.1.0 ; branch info v2.9.0-26.1.0
torch_npu=2.7.1.post8 || torch requires ==2.7.1 ; cann paired 9.1.0 ; branch info v2.7.1-26.1.0
torch_npu=2.9.0.post2 || torch requires ==2.9.0 ; cann paired 9.0.0 ; branch info v2.9.0-26.0.0
torch_npu=2.8.0.post4 || torch requires ==2.8.0 ; cann paired 9.0.0 ; branch info v2.8.0-26.0.0
torch_npu=2.7.1.post4 || torch requires ==2.7.1 ; cann paired 9.0.0 ; branch info v2.7.1-26.0.0
torch_npu=2.9.0 || torch requires ==2.9.0 ; cann paired 8.5.0 ; branch info v2.9.0-7.3.0 ; python requires >=3.10,<3.13
torch_npu=2.8.0.post2 || torch requires ==2.8.0 ; cann paired 8.5.0 ; branch info v2.8.0-7.3.0
torch_npu=2.7.1.post2 || torch requires ==2.7.1 ; cann paired 8.5.0 ; branch info v2.7.1-7.3.0
torch_npu=2.6.0.post5 || torch requires ==2.6.0 ; cann paired 8.5.0 ; branch info v2.6.0-7.3.0 ; python requires >=3.9,<3.13
torch_npu=2.8.0 || torch requires ==2.8.0 ; cann paired 8.3.RC1 ; branch info v2.8.0-7.2.0
torch_npu=2.7.1 || torch requires ==2.7.1 ; cann paired 8.3.RC1 ; branch info v2.7.1-7.2.0 ; python requires >=3.9,<3.12 ; wheel info manylinux_2_28_<arch> (glibc >= 2.28)
torch_npu=2.6.0.post3 || torch requires ==2.6.0 ; cann paired 8.3.RC1 ; branch info v2.6.0-7.2.0
torch_npu=2.1.0.post17 || torch requires ==2.1.0 ; cann paired 8.3.RC1 ; branch info v2.1.0-7.2.0
torch_npu=2.6.0 || torch requires ==2.6.0 ; cann paired 8.2.RC1 ; branch info v2.6.0-7.1.0
torch_npu=2.5.1.post1 || torch requires ==2.5.1 ; cann paired 8.2.RC1 ; branch info v2.5.1-7.1.0 ; python requires >=3.9,<3.12
torch_npu=2.1.0.post13 || torch requires ==2.1.0 ; cann paired 8.2.RC1 ; branch info v2.1.0-7.1.0
torch_npu=2.5.1 || torch requires ==2.5.1 ; cann paired 8.1.RC1 ; branch info v2.5.1-7.0.0 ; python requires >=3.9,<3.12 ; cann compatible 8.3.RC1 | 8.2.RC1 | 8.1.RC1 | 8.0.0 | 8.0.RC3 | 8.0.RC2
torch_npu=2.4.0.post4 || torch requires ==2.4.0 ; cann paired 8.1.RC1 ; branch info v2.4.0-7.0.0
torch_npu=2.3.1.post6 || torch requires ==2.3.1 ; cann paired 8.1.RC1 ; branch info v2.3.1-7.0.0
torch_npu=2.1.0.post12 || torch requires ==2.1.0 ; cann paired 8.1.RC1 ; branch info v2.1.0-7.0.0
torch_npu=2.6.0rc1 || torch requires ==2.6.0 ; cann paired 8.1.RC1.alpha002 ; branch info v2.6.0
torch_npu=2.4.0.post2 || torch requires ==2.4.0 ; cann paired 8.0.0
torch_npu=2.3.1.post4 || torch requires ==2.3.1 ; cann paired 8.0.0
torch_npu=2.1.0.post10 || torch requires ==2.1.0 ; cann paired 8.0.0
torch_npu=2.4.0 || torch requires ==2.4.0 ; cann paired 8.0.RC3
torch_npu=2.3.1.post2 || torch requires ==2.3.1 ; cann paired 8.0.RC3
torch_npu=2.1.0.post8 || torch requires ==2.1.0 ; cann paired 8.0.RC3
torch_npu=2.3.1 || torch requires ==2.3.1 ; cann paired 8.0.RC2
torch_npu=2.2.0.post2 || torch requires ==2.2.0 ; cann paired 8.0.RC2 ; python requires >=3.8,<3.11
torch_npu=2.1.0.post6 || torch requires ==2.1.0 ; cann paired 8.0.RC2
torch_npu=1.11.0.post14 || torch requires ==1.11.0 ; cann paired 8.0.RC2 ; python requires >=3.7.5,<3.11
torch_npu=2.2.0 || torch requires ==2.2.0 ; cann paired 8.0.RC1
torch_npu=2.1.0.post4 || torch requires ==2.1.0 ; cann paired 8.0.RC1
torch_npu=1.11.0.post11 || torch requires ==1.11.0 ; cann paired 8.0.RC1
torch_npu=2.1.0 || torch requires ==2.1.0 ; cann paired 7.0.0
torch_npu=2.0.1.post1 || torch requires ==2.0.1 ; cann paired 7.0.0
torch_npu=1.11.0.post8 || torch requires ==1.11.0 ; cann paired 7.0.0
torch_npu=2.1.0.rc1 || torch requires ==2.1.0 ; cann paired 7.0.RC1
torch_npu=2.0.1 || torch requires ==2.0.1 ; cann paired 7.0.RC1
torch_npu=1.11.0.post4 || torch requires ==1.11.0 ; cann paired 7.0.RC1
torch_npu=1.5.0.post6 || torch requires ==1.5.0 ; cann paired 5.1.RC2
torch_npu=1.8.1.rc2 || torch requires ==1.8.1 ; cann paired 5.1.RC2
torch_npu=1.5.0.post5 || torch requires ==1.5.0 ; cann paired 5.1.RC1
torch_npu=1.8.1.rc1 || torch requires ==1.8.1 ; cann paired 5.1.RC1
torch_npu=2.5.1.dev20250308 || cann paired 8.0.0 ; torch requires ==2.5.1
torch_npu=2.5.1.post1.dev20250528 || cann paired 8.1.RC1
torch_npu=2.5.1.post1.dev20250619 || cann paired 8.1.RC1
torch_npu=2.7.1.dev20250724 || cann paired 8.2.RC1
torch_npu=2.9.0.post1+git4c901a4 || cann paired 8.5.1

# §3 vllm-ascend matrix (S4, S5) and pins (S7)
vllm_ascend=v0.23.0 || vllm requires ==0.23.0 ; python requires >=3.10,<3.13 ; cann paired 9.1.0 ; torch requires ==2.10.0 ; torch_npu requires ==2.10.0.post4 ; triton_ascend requires ==3.2.2 ; mooncake info v0.3.11.post1 ; transformers requires ==5.5.4 ; torchvision requires ==0.25.0
vllm_ascend=v0.23.0rc1 || vllm requires ==0.23.0 ; python requires >=3.10,<3.13 ; cann paired 9.0.1 ; torch requires ==2.10.0 ; torch_npu requires ==2.10.0.post2 ; triton_ascend requires ==3.2.1 ; mooncake info v0.3.11.post1
vllm_ascend=v0.22.1rc1 || vllm requires ==0.22.1 ; python requires >=3.10,<3.13 ; cann paired 9.0.0 ; torch requires ==2.10.0 ; torch_npu requires ==2.10.0 ; triton_ascend requires ==3.2.1 ; mooncake info v0.3.9
vllm_ascend=v0.21.0rc1 || vllm requires ==0.21.0 ; python requires >=3.10,<3.13 ; cann paired 9.0.0 ; torch_npu requires ==2.10.0 ; mooncake info v0.3.9
vllm_ascend=v0.20.2rc1 || vllm requires ==0.20.2 ; python requires >=3.10,<3.12 ; cann paired 9.0.0 ; torch_npu requires ==2.10.0 ; mooncake info v0.3.8.post1
vllm_ascend=v0.19.1rc1 || vllm requires ==0.19.1 ; python requires >=3.10,<3.12 ; cann paired 8.5.1 ; torch requires ==2.9.0 ; torch_npu requires ==2.9.0 ; triton_ascend paired 3.2.0 ; torchvision requires ==0.24.0
vllm_ascend=v0.18.0 || vllm requires ==0.18.0 ; cann paired 8.5.1 ; torch requires ==2.9.0 ; torch_npu requires ==2.9.0.post1+git4c901a4 | ==2.9.0 ; triton_ascend paired 3.2.0.dev20260322 ; mooncake info v0.3.9
vllm_ascend=v0.18.0rc1 || vllm requires >=0.18.0,<0.19.0 ; cann paired 8.5.1 ; torch_npu requires ==2.9.0 ; triton_ascend paired 3.2.0
vllm_ascend=v0.17.0rc1 || vllm requires >=0.17.0,<0.18.0 ; cann paired 8.5.1 ; torch_npu requires ==2.9.0
vllm_ascend=v0.16.0rc1 || vllm requires >=0.16.0,<0.17.0 ; cann paired 8.5.1 ; torch_npu requires ==2.9.0
vllm_ascend=v0.15.0rc1 || vllm requires ==0.15.0 ; cann paired 8.5.0 ; torch_npu requires ==2.9.0 ; triton_ascend paired 3.2.0
vllm_ascend=v0.14.0rc1 || vllm requires ==0.14.1 ; cann paired 8.5.0 ; torch requires ==2.9.0 ; torch_npu requires ==2.9.0
vllm_ascend=v0.13.0rc3 || vllm requires ==0.13.0 ; cann paired 8.5.1 ; torch requires ==2.8.0 ; torch_npu requires ==2.8.0.post2
vllm_ascend=v0.13.0 || vllm requires ==0.13.0 ; cann paired 8.5.0 ; torch requires ==2.8.0 ; torch_npu requires ==2.8.0.post2 ; triton_ascend requires ==3.2.0 ; transformers requires >=4.57.4,<5 ; cann minimum >=8.5.0
vllm_ascend=v0.13.0rc2 || vllm requires ==0.13.0 ; cann paired 8.5.0 ; torch_npu requires ==2.8.0.post1 | ==2.8.0
vllm_ascend=v0.13.0rc1 || vllm requires ==0.13.0 ; cann paired 8.3.RC2 ; torch requires ==2.8.0 ; torch_npu requires ==2.8.0
vllm_ascend=v0.12.0rc1 || vllm requires ==0.12.0 ; python requires >=3.10,<3.12 ; cann paired 8.3.RC2 ; torch_npu requires ==2.8.0
vllm_ascend=v0.11.0 || vllm requires ==0.11.0 ; python requires >=3.9,<3.12 ; cann paired 8.3.RC2 ; torch requires ==2.7.1 ; torch_npu requires ==2.7.1.post1 | ==2.7.1 ; transformers requires <=4.57.1
vllm_ascend=v0.11.0rc3 || vllm requires ==0.11.0 ; cann paired 8.3.RC2 ; torch_npu requires ==2.7.1.post1 | ==2.7.1 ; cann minimum >=8.3.RC1
vllm_ascend=v0.11.0rc2 || vllm requires ==0.11.0 ; cann paired 8.3.RC2 ; torch_npu requires ==2.7.1
vllm_ascend=v0.11.0rc1 || vllm requires ==0.11.0 ; cann paired 8.3.RC1 ; torch_npu requires ==2.7.1
vllm_ascend=v0.11.0rc0 || vllm requires ==0.11.0rc3 ; cann paired 8.2.RC1 ; torch_npu requires ==2.7.1.dev20250724
vllm_ascend=v0.10.2rc1 || vllm requires ==0.10.2 ; cann paired 8.2.RC1 ; torch requires ==2.7.1 ; torch_npu requires ==2.7.1.dev20250724
vllm_ascend=v0.10.1rc1 || vllm requires ==0.10.1 | ==0.10.1.1 ; cann paired 8.2.RC1 ; torch_npu requires ==2.7.1.dev20250724
vllm_ascend=v0.10.0rc1 || vllm requires ==0.10.0 ; python requires >=3.9,<3.12 ; cann paired 8.2.RC1 ; torch requires ==2.7.1 ; torch_npu requires ==2.7.1.dev20250724 ; transformers requires <4.54.0
vllm_ascend=v0.9.2rc1 || vllm requires ==0.9.2 ; cann paired 8.1.RC1 ; torch requires ==2.5.1 ; torch_npu requires ==2.5.1.post1.dev20250619
vllm_ascend=v0.9.1 || vllm requires ==0.9.1 ; python requires >=3.9,<3.12 ; cann paired 8.2.RC1 ; torch requires ==2.5.1 ; torch_npu requires ==2.5.1.post1 ; torchvision requires <0.21.0 ; transformers requires <4.53.0 ; base_image info quay.io/ascend/cann:8.2.rc1-910b-ubuntu22.04-py3.11
vllm_ascend=v0.9.1rc3 || vllm requires ==0.9.1 ; cann paired 8.2.RC1 ; torch_npu requires ==2.5.1.post1
vllm_ascend=v0.9.1rc2 || vllm requires ==0.9.1 ; cann paired 8.2.RC1 ; torch_npu requires ==2.5.1.post1
vllm_ascend=v0.9.1rc1 || vllm requires ==0.9.1 ; cann paired 8.1.RC1 ; torch_npu requires ==2.5.1.post1.dev20250528
vllm_ascend=v0.9.0rc2 || vllm requires ==0.9.0 ; cann paired 8.1.RC1 ; torch_npu requires ==2.5.1
vllm_ascend=v0.9.0rc1 || vllm requires ==0.9.0 ; cann paired 8.1.RC1 ; torch_npu requires ==2.5.1
vllm_ascend=v0.8.5rc1 || vllm requires ==0.8.5.post1 ; cann paired 8.1.RC1 ; torch_npu requires ==2.5.1
vllm_ascend=v0.8.4rc2 || vllm requires ==0.8.4 ; cann paired 8.0.0 ; torch_npu requires ==2.5.1
vllm_ascend=v0.8.4rc1 || vllm requires ==0.8.4 ; cann paired 8.0.0 ; torch_npu paired 2.5.1.dev20250320 ; torch_npu minimum >=2.5.1.dev20250320 ; cann minimum >=8.0.0
vllm_ascend=v0.7.3.post1 || vllm requires ==0.7.3 ; cann paired 8.1.RC1 ; torch requires ==2.5.1 ; torch_npu requires ==2.5.1
vllm_ascend=v0.7.3 || vllm requires ==0.7.3 ; cann paired 8.1.RC1 ; torch_npu requires ==2.5.1 ; torchvision requires <0.21.0 ; extra info mindie-turbo (required extra package)
vllm_ascend=v0.7.3rc2 || vllm requires ==0.7.3 ; cann paired 8.0.0 ; torch_npu paired 2.5.1.dev20250320 ; torch_npu minimum >=2.5.1.dev20250320
vllm_ascend=v0.7.3rc1 || vllm requires ==0.7.3 ; python requires >=3.9,<3.12 ; cann paired 8.0.0 ; cann minimum >=8.0.0 ; torch minimum >=2.5.1 ; torch_npu minimum >=2.5.1.dev20250308 ; torch_npu paired 2.5.1.dev20250308 ; base_image info quay.io/ascend/cann:8.0.0-910b-ubuntu22.04-py3.10
vllm_ascend=v0.7.1rc1 || vllm requires ==0.7.1 ; cann paired 8.0.0 ; torch_npu requires ==2.5.1.dev20250218
vllm_ascend=main || vllm requires ==0.23.0@cdc4824a21ea ; python requires >=3.10,<3.13 ; cann paired 9.1.0 ; torch_npu requires ==2.10.0.post4 ; triton_ascend paired 3.2.2
vllm_ascend=v0.24.0rc1 || vllm requires ==0.24.0 ; cann paired 9.0.1 ; triton_ascend requires ==3.2.1 ; torch requires ==2.10.0 ; torch_npu requires ==2.10.0.post2 ; cann minimum >=9.0.1
vllm_ascend=v0.25.1rc1 || vllm requires ==0.25.1 ; cann paired 9.0.1 ; torch requires ==2.10.0 ; torch_npu requires ==2.10.0.post2 ; python requires >=3.10,<3.13
vllm_ascend=1de16ead || vllm paired 0.10.0 ; cann paired 8.2.RC1 ; torch_npu paired ==2.7.1.dev20250724

# §10 MindSpeed core (S15)
mindspeed=26.1.0_core_r0.12.1 || megatron requires ==0.12.1 ; torch paired 2.7.1 ; torch_npu paired 2.7.1.post8 ; cann paired 9.0.0 | 9.1.0 ; python paired 3.10.* ; pta info 26.1.0
mindspeed=26.0.0_core_r0.12.1 || megatron requires ==0.12.1 ; torch paired 2.7.1 ; cann paired 9.0.0 ; python paired 3.10.* ; pta info 26.0.0
mindspeed=core_r0.15.3 || megatron requires ==0.15.3 ; torch paired 2.7.1 ; cann paired 9.0.0 ; pta info 26.0.0
mindspeed=2.3.0_core_r0.12.1 || megatron requires ==0.12.1 ; torch paired 2.1.0 | 2.6.0 | 2.7.1 ; cann paired 8.5.0 | 8.3.RC1 ; python paired 3.10.*
mindspeed=2.2.0_core_r0.12.1 || megatron requires ==0.12.1 ; torch paired 2.1.0 | 2.6.0 | 2.7.1 ; cann paired 8.3.RC1 ; pta info 7.2.0 ; numpy requires <=1.26.0
mindspeed=2.1.0_core_r0.12.1 || megatron requires ==0.12.1 ; torch paired 2.1.0 | 2.6.0 ; cann paired 8.2.RC1 ; pta info 7.1.0
mindspeed=2.1.0_core_r0.8.0 || megatron requires ==0.8.0 ; torch paired 2.1.0 ; cann paired 8.2.RC1 ; python paired >=3.8,<3.11 ; pta info 7.1.0
mindspeed=2.0.0_core_r0.8.0 || megatron requires ==0.8.0 ; torch paired 2.1.0 ; cann paired 8.1.RC1 ; pta info 7.0.0
mindspeed=1.0.0_core_r0.7.0 || megatron requires ==0.7.0 ; torch paired 2.1.0 ; cann paired 8.0.0 ; pta info 6.0.0
mindspeed=1.0.0_core_r0.6.0 || megatron requires ==0.6.0 ; cann paired 8.0.0
mindspeed=f2b0977e || megatron requires ==0.12.1 ; numpy requires <=1.26.0 ; transformers requires >=4.43.2 ; branch info 2.3.0_core_r0.12.1
mindspeed=1cdd0abd || megatron requires ==0.12.1 ; numpy requires <=1.26.0 ; branch info 2.2.0_core_r0.12.1

# §10 MindSpeed-LLM (S16)
mindspeed_llm=26.1.0 || mindspeed paired 26.1.0_core_r0.12.1 ; torch paired 2.7.1 ; cann paired 9.1.0 ; triton_ascend paired 3.2.2 ; pta info 26.1.0
mindspeed_llm=26.0.0 || mindspeed paired 26.0.0_core_r0.12.1 ; cann paired 9.0.0 ; triton_ascend paired 3.2.1
mindspeed_llm=2.3.0 || mindspeed paired 2.3.0_core_r0.12.1 ; megatron paired 0.12.1 ; torch paired 2.7.1 ; cann paired 8.5.0 ; pta info 7.3.0
mindspeed_llm=2.2.0 || mindspeed paired 2.2.0_core_r0.12.1 ; torch paired 2.7.1 ; cann paired 8.3.RC1 ; pta info 7.2.0
mindspeed_llm=2.1.0 || mindspeed paired 2.1.0_core_r0.8.0 ; megatron paired 0.8.0 ; torch paired 2.1.0 | 2.6.0 ; cann paired 8.2.RC1 ; driver paired 25.2.0 ; python paired 3.8.* | 3.10.*
mindspeed_llm=2.0.0 || torch paired 2.1.0 ; cann paired 8.1.RC1 ; driver paired 25.0.RC1 ; pta info 7.0.0
mindspeed_llm=1.0.0 || torch paired 2.1.0 ; cann paired 8.0.0 ; driver paired 24.1.0 ; pta info 6.0.0

# §10 MindSpeed-RL (S13) and verl_npu (S14)
mindspeed_rl=master || megatron paired 0.12.1 ; torch paired 2.7.1 ; torch_npu paired 2.7.1 ; cann paired 8.5.0 ; python paired 3.10.* ; vllm paired 0.11.0@b8b302c ; vllm_ascend paired v0.11.0-dev@1b16c01 ; mindspeed paired ac9f0e74
mindspeed_rl=2.3.0 || megatron paired 0.12.1 ; torch paired 2.5.1 ; torch_npu paired 2.5.1 ; cann paired 8.5.0 ; vllm paired 0.9.1@b6553be1 ; vllm_ascend paired v0.9.1-dev@8c7bc45 ; mindspeed_llm paired 2.3.0@a2c0733b
mindspeed_rl=2.2.0 || megatron paired 0.8.0 ; torch paired 2.5.1 ; cann paired 8.3.RC1 ; vllm_ascend paired v0.9.1-dev@8c7bc45
mindspeed_rl=2.1.0 || megatron paired 0.8.0 ; cann paired 8.2.RC1 ; vllm paired 0.9.1@b6553be1 ; vllm_ascend paired v0.9.1-dev@dedace4c
mindspeed_rl=2.0.0 || megatron paired 0.8.0 ; torch paired 2.5.1 ; cann paired 8.1.RC1 ; python paired 3.10.* ; vllm paired 0.7.3 ; vllm_ascend paired v0.7.3-dev@0713836e
verl_npu=2.3.0 || megatron paired 0.12.1 ; torch paired 2.7.1 ; torch_npu paired 2.7.1 ; cann paired 8.3.RC1 ; python paired 3.10.* ; vllm paired 0.10.1@38217877aa70041c0115ee367b75197af9cbc5ad ; vllm_ascend paired 0.10.0@1de16ead8eecfec8903ec1b330b27a4fa2593c35 ; transformers paired @8365f70e925 ; mindspeed paired 1cdd0abd75e40936ad31721c092f57c695dd72c4 ; verl paired 796871d7d092f7cbc6a64e7f4a3796f7a2217f5e ; torchvision paired 0.22.1
verl_npu=2.2.0 || cann paired 8.3.RC1 ; driver paired 25.3.RC1 ; image_python info 3.10.0 ; image info swr.cn-south-1.myhuaweicloud.com/ascendhub/verl_pt27_25rc3:{a2-arm,a3-arm,ax-x86}
verl_npu=master || vllm paired 0.11.0@b8b302cd ; vllm_ascend paired 0.11.0@00ba0710 ; verl paired 0.6.1@d62da495 ; cann paired 8.2.RC3

# §11 verl on Ascend (S11, S12)
verl=54c9b736 || python paired 3.10.* ; cann paired 8.1.RC1 ; torch paired 2.5.1 ; vllm paired 0.7.3 ; vllm_ascend paired 0.7.3 ; transformers paired >=4.52.0
verl=c7922f02 || cann paired 8.1.RC1 ; torch_npu paired 2.5.1 ; torchvision info 0.20.1+cpu ; vllm_ascend paired 0.7.3.post1 ; transformers paired 4.52.4
verl=d7944c01 || python paired 3.10.* ; cann paired 8.2.RC1 ; torch paired 2.5.1 ; torch_npu paired 2.5.1 ; vllm paired 0.9.1 ; vllm_ascend paired 0.9.1
verl=d7944c01 || python paired 3.11.* ; cann paired 8.2.RC1 ; torchvision paired 0.20.1 ; megatron paired 0.12.1 ; mindspeed paired f2b0977e ; base_image info swr.cn-south-1.myhuaweicloud.com/ascendhub/cann:8.2.rc1-910b-ubuntu22.04-py3.11
verl=21f25628 || python paired >=3.10,<3.12 ; cann paired 8.3.RC1 ; torch paired 2.7.1 ; torchvision paired 0.22.1 ; vllm paired 0.11.0 ; vllm_ascend paired 0.11.0rc1
verl=b178a3cd || cann paired 8.3.RC1 ; triton_ascend paired 3.2.0rc4 ; transformers paired 4.57.6 ; mindspeed paired f2b0977e ; extra info mbridge
verl=b178a3cd || cann paired 8.2.RC1 ; torch paired 2.5.1 ; torchvision paired 0.20.1 ; vllm paired 0.9.1 ; vllm_ascend paired 0.9.1
verl=b178a3cd || cann paired 8.3.RC1 ; sglang info v0.5.8 ; sgl_kernel_npu info 46b73de ; ray info 2.46.0 ; python paired 3.11.*

# §12 MindSpore ↔ CANN ↔ Python (S19, S20)
mindspore=1.5.0 || solution info Ascend Data Center Solution 21.0.3
mindspore=1.6.2 || solution info Ascend Data Center Solution 21.0.4
mindspore=1.7.1 || cann paired 5.1.RC1 | 5.1.RC1.alpha005 ; python requires >=3.7,<3.10 ; solution info Ascend Data Center Solution 22.0.RC1
mindspore=1.8.1 || cann paired 5.1.RC2 | 5.1.RC2.alpha008 ; python requires >=3.7,<3.10 ; solution info Ascend Data Center Solution 22.0.RC2
mindspore=1.9.0 || cann paired 6.0.RC1 | 6.0.RC1.alpha005 ; python requires >=3.7,<3.10
mindspore=1.10.1 || cann paired 6.0.1 | 6.0.1.alpha001 ; python requires >=3.7,<3.10
mindspore=2.0.0 || cann paired 6.3.RC1 | 6.3.RC1.alpha003 ; python requires >=3.7,<3.10
mindspore=2.1.1 || cann paired 6.3.RC2 | 6.3.RC2.alpha005 ; python requires >=3.7,<3.10
mindspore=2.2.14 || cann paired 7.0.0 | 7.0.0.beta1 ; python requires >=3.7,<3.10
mindspore=2.3.1 || cann paired 8.0.RC2 | 8.0.RC2.beta1 ; python requires >=3.8,<3.11 ; cann compatible 8.0.RC1
mindspore=2.4.0 || cann paired 8.0.RC3 | 8.0.RC3.beta1 ; python requires >=3.9,<3.12
mindspore=2.4.1 || cann paired 8.0.RC3 | 8.0.RC3.beta1
mindspore=2.4.10 || cann paired 8.0.0 | 8.0.0.beta1 ; python requires >=3.9,<3.12
mindspore=2.5.0 || cann paired 8.0.0 | 8.0.0.beta1
mindspore=2.6.0rc1 || cann paired 8.1.RC1 | 8.1.RC1.beta1 ; python requires >=3.9,<3.12
mindspore=2.6.0 || cann paired 8.1.RC1 | 8.1.RC1.beta1
mindformers=1.5.0 || mindspore paired 2.6.0rc1 ; cann paired 8.1.RC1 ; driver paired 25.0.RC1 ; python paired 3.11.4

# §7 CANN ↔ driver, §8 CANN ↔ Python, §4 images
cann=8.0.RC1 || driver paired 24.1.RC1
cann=8.0.RC2 || driver paired 24.1.RC2
cann=8.0.0 || driver paired 24.1.0
cann=8.1.RC1 || driver paired 25.0.RC1 ; images info 8.1.rc1 {910b,a3,310p} py3.10/py3.11
cann=8.2.rc1 || driver paired 25.2.0 ; driver compatible 25.0.RC1 | 24.1.0 | 24.1.RC3 | 24.1.RC2 ; python requires >=3.7,<3.12 ; image_python info 3.11.13
cann=8.3.RC1 || driver paired 25.3.RC1 ; driver compatible 25.2.1 ; python requires >=3.7,<3.12
cann=8.5.0 || driver paired 25.5.0 ; driver compatible 25.5.* | 25.3.* | 25.2.* | 25.0.* ; python requires >=3.7,<3.14 ; install_dir info /usr/local/Ascend/cann-8.5.0 ; nnae info not released (folded into toolkit)
cann=8.5.1 || driver paired 25.5.0 ; images info 8.5.1 py3.10/py3.11/py3.12
cann=8.5.2 || driver compatible 26.0.RC1 | 25.5.2 | 25.5.1 | 25.* | 26.0.* | 26.1.*
cann=9.0.0 || driver paired 26.0.RC1 ; driver compatible 25.5.2 | 25.5.1
cann=9.0.1 || driver paired 26.0.RC3 ; driver compatible 26.0.RC1 | 25.5.2 | 25.5.1
cann=9.1.0 || driver paired 26.0.RC1 ; driver compatible 25.2.* | 25.3.* | 25.5.* | 26.0.RC1 | 25.7.RC1 | 26.1.0 | 26.1.1 | 26.2.RC1 ; driver conflicts 25.0.*
cann=9.1.1 || driver paired 26.1.1 ; driver conflicts 25.0.*
cann=5.1.RC2 || solution info Ascend Data Center Solution 22.0.RC2 (AscendHub pytorch image 22.0.RC2)
cann=7.0.0.beta1 || solution info Ascend Training Solution 23.0.0
"#;

/// Reverse questions: the releases of one component documented with the asked versions.
const REVERSE: &str = r#"
cann=8.3.RC1 || torch_npu || 2.8.0, 2.7.1, 2.6.0.post3, 2.1.0.post17
cann=8.2.RC1 || torch_npu || 2.6.0, 2.5.1.post1, 2.1.0.post13, 2.7.1.dev20250724
cann=9.1.0 || torch_npu || 2.12.0, 2.11.0, 2.10.0.post4, 2.9.0.post6, 2.7.1.post8
cann=8.3.RC1 || vllm_ascend || v0.11.0rc1
cann=8.3.RC1 torch=2.7.1 || torch_npu || 2.7.1
cann=5.1.RC2 || mindspore || 1.8
torch_npu=2.7.1 || vllm_ascend || v0.11.0, v0.11.0rc3, v0.11.0rc2, v0.11.0rc1
"#;

fn answers_for(q: &str) -> Vec<Answer> {
    let words: Vec<&str> = q.split_whitespace().collect();
    let query = Query::parse_args(&words).expect("query parses");
    KnowledgeBase::builtin().query(&query)
}

fn kind_name(k: RelationKind) -> String {
    format!("{k:?}").to_ascii_lowercase()
}

#[test]
fn every_fact_row_answers_as_documented() {
    let mut checked = 0;
    for line in ROWS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (q, expect) = line.split_once("||").expect("row has ||");
        let (comp, _) = q.trim().split_once('=').expect("query is k=v");
        let answers = answers_for(q.trim());
        let direct: Vec<&Answer> = answers
            .iter()
            .filter(|a| {
                a.kind == AnswerKind::Release && a.component == comp && a.matched_by == q.trim()
            })
            .collect();
        assert!(!direct.is_empty(), "no release answer for `{q}`");
        let wanted: Vec<(String, String, String)> = expect
            .split(';')
            .map(|e| {
                let mut it = e.trim().splitn(3, ' ');
                let c = it.next().unwrap_or_default().to_string();
                let k = it.next().unwrap_or_default().to_string();
                let v = it.next().unwrap_or_default().trim().to_string();
                (c, k, v)
            })
            .collect();
        let ok = direct.iter().any(|a| {
            wanted.iter().all(|(c, k, v)| {
                a.relations
                    .iter()
                    .any(|r| &r.component == c && &kind_name(r.kind) == k && &r.value == v)
            })
        });
        assert!(
            ok,
            "`{q}`: expected {wanted:?}\ngot:\n{}",
            render_text(&direct.into_iter().cloned().collect::<Vec<_>>())
        );
        assert!(
            answers
                .iter()
                .all(|a| a.kind != AnswerKind::Release || !a.sources.is_empty()),
            "`{q}`: uncited answer"
        );
        checked += 1;
    }
    assert!(checked >= 150, "{checked} rows");
}

#[test]
fn reverse_questions_list_the_documented_releases() {
    for line in REVERSE.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split("||").map(str::trim).collect();
        let answers = answers_for(parts[0]);
        let mut got: Vec<&str> = answers
            .iter()
            .filter(|a| a.kind == AnswerKind::Release && a.component == parts[1])
            .map(|a| a.version.as_str())
            .collect();
        let mut want: Vec<&str> = parts[2].split(", ").collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "`{}` → {}", parts[0], parts[1]);
    }
}
